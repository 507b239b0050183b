"""What every domain shares the same way: validated files and their errors, input rules for
text and times, and number formatting. Imports nothing from a domain, the database or the web."""

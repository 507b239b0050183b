"""The web application: app factory, templates, static assets."""

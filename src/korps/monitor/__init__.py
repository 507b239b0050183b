"""The monitor: indicators, yearly targets per unit, measurements (computed or entered),
status and trend, the plans they belong to and the report for the Regionaal Veiligheidsoverleg."""

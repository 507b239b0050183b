"""The simulation: a pure numeric core (scenarios, incidents, event loop, KPIs, analytic models)."""

"""Formation: occupancy (bezetting) against the published formation, gaps, the wijkagent norm."""

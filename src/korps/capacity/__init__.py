"""Capacity: people, availability, rosters under the working-time rules, deployable capacity."""

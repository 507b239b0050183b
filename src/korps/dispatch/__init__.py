"""The dispatch policy as pure functions, shared by the live control room and the simulation."""

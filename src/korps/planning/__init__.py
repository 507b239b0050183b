"""Planning on top of the registry: strength allocation (pure solvers) and scenario inputs."""

"""korps: the open digital backbone and digital twin of a police regional unit."""

__version__ = "0.1.0"

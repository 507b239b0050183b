"""The organisation registry: units, municipalities, partnerships, authorities."""

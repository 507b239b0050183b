"""Test support: helpers and real external services the tests start."""

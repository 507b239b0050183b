"""Fixtures for the integration tests beside those of tests/conftest.py."""

from tests.support.oidc_fixture import oidc_provider

__all__ = ["oidc_provider"]

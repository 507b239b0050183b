"""One Settings class for the whole application (environment prefix ``KORPS_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "korps"


class Settings(BaseSettings):
    """Runtime settings; every field can be set as ``KORPS_<FIELD>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KORPS_", extra="ignore")

    database_url: str = f"sqlite:///{DEFAULT_DATA_DIR / 'korps.db'}"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1  # server processes (korps serve --workers); more use more cores
    threads: int = 8  # per process: threads for the routes = pooled database connections
    echo_sql: bool = False
    # identity: sessions, login throttling, e-mail (korps.identity)
    base_url: str = "http://127.0.0.1:8000"  # links in e-mails (password reset)
    session_idle_minutes: int = 30  # a session unused this long has ended
    session_absolute_hours: int = 12  # and any session ends this long after login
    login_max_failures: int = 5  # failed logins in a row that lock an account ...
    lockout_minutes: int = 15  # ... for this long
    address_max_failures: int = 20  # failed logins from one address within lockout_minutes
    reset_token_minutes: int = 60  # a password-reset link is valid this long, once
    api_token_days: int = 90  # the longest an API token may live
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025  # `korps serve` starts a local debug SMTP server here (make run)
    mail_from: str = "korps <noreply@korps.localhost>"
    secure_cookies: bool | None = None  # None: Secure when the request came over HTTPS
    # OpenID Connect login for staff (korps.identity.oidc); off while oidc_issuer is empty
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_redirect_uri: str = ""  # e.g. https://korps.example/aanmelden/oidc/terug
    oidc_scopes: str = "openid profile email"
    oidc_role_claim: str = "groups"  # a dotted path reaches nested claims: realm_access.roles
    oidc_role_map: str = ""  # JSON {"claim value": ["role@unit-slug", ...]} or a YAML file path


@lru_cache
def get_settings() -> Settings:
    return Settings()

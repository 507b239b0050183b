"""One Settings class for the whole application (environment prefix ``KORPS_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

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


@lru_cache
def get_settings() -> Settings:
    return Settings()

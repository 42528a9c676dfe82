"""One settings object for the whole app (environment variables prefixed ``PEERSCOPE_``, plus ``DATABASE_URL``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PEERSCOPE_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DATA_DIR / 'peerscope.db'}",
        validation_alias=AliasChoices("DATABASE_URL", "PEERSCOPE_DATABASE_URL"),
    )
    data_dir: Path = DATA_DIR
    openalex_mailto: str | None = None
    load_seed_on_first_start: bool = True
    smtp_url: str | None = None  # smtp://user:password@host:587 or smtps://...; unset: mail stays in the outbox
    mail_from: str = "Peerscope <no-reply@peerscope.invalid>"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

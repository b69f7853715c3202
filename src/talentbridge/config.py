"""Settings: the only place the environment is read."""

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MIN_ADMIN_TOKEN = 32  # characters; the server refuses to start with a shorter admin token


class MatchWeights(BaseSettings):
    """Weights of the ranking components; they are normalised to sum to 1."""

    model_config = SettingsConfigDict(env_prefix="TALENTBRIDGE_WEIGHT_")

    semantic: float = Field(0.30, ge=0)
    occupation: float = Field(0.30, ge=0)
    skills: float = Field(0.12, ge=0)
    experience: float = Field(0.07, ge=0)
    japanese: float = Field(0.07, ge=0)
    partnership: float = Field(0.08, ge=0)
    preference: float = Field(0.06, ge=0)

    def normalised(self) -> dict[str, float]:
        raw = self.model_dump()
        total = sum(raw.values()) or 1.0
        return {name: value / total for name, value in raw.items()}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTBRIDGE_")

    database_url: str = "sqlite:///talentbridge.db"
    admin_token: str | None = None
    embedding_model: str = DEFAULT_MODEL
    embedding_batch_size: int = Field(64, ge=1)
    max_body_bytes: int = Field(5_000_000, ge=1024)
    bulk_max_rows: int = Field(10_000, ge=1)
    goal_target: int = Field(50_000, ge=1)
    goal_start: date = date(2025, 8, 29)
    goal_end: date = date(2030, 8, 29)
    # Failed authentication: this many per client address, or per key prefix, within the
    # window, then 429 until the oldest failure leaves it; at most `capacity` remembered.
    auth_failure_limit: int = Field(10, ge=1)
    auth_failure_window_seconds: float = Field(60.0, gt=0)
    auth_failure_capacity: int = Field(10_000, ge=1)
    weights: MatchWeights = Field(default_factory=MatchWeights)
    cache_dir: Path = Path.home() / ".cache" / "talentbridge"


class ConfigError(ValueError):
    """Settings the server must not start with."""


def check_for_serving(settings: Settings) -> None:
    """Refuse settings that would make a running server unsafe."""
    token = settings.admin_token
    if token and len(token) < MIN_ADMIN_TOKEN:
        raise ConfigError(
            f"TALENTBRIDGE_ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN} characters "
            f"(it has {len(token)}); unset it to disable creating organisations over the API"
        )


@cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()

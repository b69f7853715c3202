"""Settings: the only place the environment is read."""

from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_MODEL = "all-MiniLM-L6-v2"


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
    # How the model runs on CPU; onnx-int8 vectors carry the model name "...+int8".
    embedding_backend: Literal["torch", "onnx", "onnx-int8"] = "onnx-int8"
    max_body_bytes: int = Field(5_000_000, ge=1024)
    bulk_max_rows: int = Field(10_000, ge=1)
    goal_target: int = Field(50_000, ge=1)
    goal_start: date = date(2025, 8, 29)
    goal_end: date = date(2030, 8, 29)
    weights: MatchWeights = Field(default_factory=MatchWeights)
    # Serving under load: worker threads per process and the connections they draw on.
    threads: int = Field(32, ge=1, le=1000)
    db_pool_size: int = Field(32, ge=1)
    db_max_overflow: int = Field(8, ge=0)
    db_pool_timeout: float = Field(10.0, gt=0)
    sqlite_busy_seconds: float = Field(10.0, gt=0)  # a writer's wait for SQLite's write lock
    retry_after_seconds: int = Field(2, ge=1)
    # Ingestion: embedding and occupation normalisation off the request path.
    inprocess_worker: bool = True
    worker_batch_size: int = Field(64, ge=1)
    worker_lease_seconds: float = Field(120.0, gt=0)
    cache_dir: Path = Path.home() / ".cache" / "talentbridge"


@cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()

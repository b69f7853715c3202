"""Columns shared by the records the matching engine reads: their vector and occupation."""

from typing import Any

from sqlalchemy import JSON, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column


class EmbeddedMixin:
    """The stored vector of a record's text, with what produced it."""

    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    embedding_hash: Mapped[str | None] = mapped_column(String(64))


class OccupationMixin:
    """The ESCO occupation a record's job title was normalised to."""

    occupation_uri: Mapped[str | None] = mapped_column(String(120))
    occupation_label: Mapped[str | None] = mapped_column(String(200))
    isco_group: Mapped[str | None] = mapped_column(String(4))
    # The next best occupations the title could be, as [[uri, score], ...] (best first after
    # the one above): a doubtful title is matched on them too, discounted by their score.
    occupation_alternatives: Mapped[list[Any] | None] = mapped_column(JSON)

    @property
    def occupation(self) -> dict[str, str | None] | None:
        if self.occupation_uri is None:
            return None
        return {
            "uri": self.occupation_uri,
            "label": self.occupation_label,
            "isco_group": self.isco_group,
        }

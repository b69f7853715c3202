from dataclasses import dataclass
from typing import Any

from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import OccupationNormaliser


@dataclass
class Toolkit:
    """The loaded model and occupation normaliser, built once per process."""

    embedder: Embedder
    normaliser: OccupationNormaliser

    def parts(self) -> dict[str, Any]:
        return {"embedder": self.embedder, "normaliser": self.normaliser}

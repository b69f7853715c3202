"""The model and the occupation normaliser, loaded once per process and passed around."""

from dataclasses import dataclass

from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import OccupationNormaliser


@dataclass
class Toolkit:
    """The loaded model and occupation normaliser, built once per process."""

    embedder: Embedder
    normaliser: OccupationNormaliser

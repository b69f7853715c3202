"""The model and the occupation normaliser, loaded once per process and passed around."""

from dataclasses import dataclass

from talentbridge.config import Settings
from talentbridge.matching.embedder import Embedder
from talentbridge.matching.occupations import (
    KNOWN_TITLES_FILE,
    OccupationNormaliser,
    read_known_titles,
)
from talentbridge.reference.glossary import trade_titles


@dataclass
class Toolkit:
    """The loaded model and occupation normaliser, built once per process."""

    embedder: Embedder
    normaliser: OccupationNormaliser


def build_tools(settings: Settings, *, threads: int | None = None) -> Toolkit:
    """Load the embedding model and fit the occupation normaliser (once per process)."""
    embedder = Embedder(
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        backend=settings.embedding_backend,
        cache_dir=settings.cache_dir,
        threads=threads,
    )
    known = read_known_titles(settings.known_titles_file or KNOWN_TITLES_FILE) + trade_titles()
    normaliser = OccupationNormaliser(
        embedder, cache_dir=settings.cache_dir, known_titles=known
    ).fit()
    return Toolkit(embedder=embedder, normaliser=normaliser)

"""The evaluation's unlisted-occupations check hides everything the normaliser could look
an unlisted occupation up by: only its description is left."""

from talentbridge.evaluation.run import UNLISTED, unlisted
from talentbridge.matching.occupations import DESCRIPTION
from talentbridge.reference import esco_occupations


def test_an_unlisted_occupation_is_known_by_its_description_alone(tools):
    hidden, normaliser = unlisted(tools)
    occupations = esco_occupations()
    assert hidden == {o.uri for o in occupations[::UNLISTED]}
    gone, kept = occupations[0], occupations[1]
    assert gone.uri in hidden and kept.uri not in hidden
    titles = [gone.label, *gone.alt_labels[:3], kept.label]
    sectors = [gone.sector] * (len(titles) - 1) + [kept.sector]
    scores = normaliser.scores(titles, tools.embedder.encode(titles), sectors)
    column = normaliser.index_of(gone.uri)
    assert (scores[:-1, column] <= DESCRIPTION + 1e-6).all()  # no label term, no exact match
    [*_, found] = normaliser.normalise(titles, sectors)
    assert (found.uri, found.confidence) == (kept.uri, 1.0)

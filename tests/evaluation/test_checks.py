"""The evaluation's unlisted-occupations check hides everything the normaliser could look
an unlisted occupation up by (only its description is left); another taxonomy's
candidates are its unit groups, titled by an example and described by their tasks."""

import csv

from talentbridge.evaluation.cases import group_candidates
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


def test_another_taxonomys_candidates_are_its_groups_titled_by_an_example(tmp_path):
    path = tmp_path / "isco.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "preferredLabel", "description"])
        writer.writerow(
            [
                "7212",
                "Welders and flamecutters",
                "Welders weld metal.\nTasks include -\n(a)  welding metal parts;\n"
                "Examples of the occupations classified here:\n- Brazier\n -  Welder\n\n"
                "Some related occupations classified elsewhere:\n- Boilersmith - 7213\n",
            ]
        )
        writer.writerow(["7213", "Sheet-metal workers", "No examples here."])
        writer.writerow(["72", "Metal workers", "A minor group, not a unit group."])
    people = group_candidates(path)
    assert [(p.uri, p.sector) for p in people] == [("manufacturing|7212", "manufacturing")]
    [welders] = people
    # An occupation the notes say is classified elsewhere never titles the group.
    titles = {group_candidates(path, seed=seed)[0].job_title for seed in range(20)}
    assert titles == {"Brazier", "Welder"}
    assert welders.summary == "Welders weld metal. Tasks include - (a) welding metal parts;"
    assert group_candidates(tmp_path / "missing.csv") == []

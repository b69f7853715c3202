"""Real vacancy titles the occupation normaliser knows: what employers write, which no ESCO
label says, lead to the occupation they were seen with; hidden, they lead nowhere."""

import csv
import json

import pytest

from talentbridge.cli import main
from talentbridge.evaluation.cases import Case
from talentbridge.matching.occupations import (
    KNOWN_TITLES_FILE,
    OccupationNormaliser,
    read_known_titles,
    title_key,
)
from talentbridge.reference import esco_occupations, occupation_by_uri

URI = {occupation.label: occupation.uri for occupation in esco_occupations()}
KNOWN = [
    ("Kaigo staff (day service)", URI["home care aide"]),
    ("Pekerja Ladang Sawit", URI["crop production worker"]),
]
ASKED = (["kaigo staff", "Pekerja ladang"], ["care", "agriculture"])


@pytest.fixture(scope="module")
def knowing(tools):
    return OccupationNormaliser(tools.embedder, known_titles=KNOWN).fit()


def labels(normaliser):
    return [m.label if m else None for m in normaliser.normalise(*ASKED)]


def test_a_title_written_like_a_known_vacancy_title_finds_its_occupation(tools, knowing):
    assert labels(knowing) == ["home care aide", "crop production worker"]
    assert labels(tools.normaliser.excluding(())) != labels(knowing)  # the ESCO labels alone


def test_a_known_title_is_compared_never_looked_up(knowing):
    [match] = knowing.normalise(["Kaigo staff (day service)"], ["care"])
    assert match.label == "home care aide"
    assert match.confidence <= 1.0
    assert "kaigo staff day service" not in knowing._exact  # noisy labels: no exact match


def test_a_hidden_known_title_is_neither_looked_up_nor_compared(knowing):
    hidden = knowing.excluding([title for title, _ in KNOWN])
    assert labels(hidden) != labels(knowing)


def test_hiding_known_titles_leaves_the_esco_labels_written_the_same(knowing):
    hidden = knowing.excluding(known_titles=["Welder", *[title for title, _ in KNOWN]])
    assert labels(hidden) != labels(knowing)
    [welder] = hidden.normalise(["Welder"], ["manufacturing"])
    assert (welder.label, welder.confidence) == ("welder", 1.0)  # still an exact ESCO label


def held_and_fitting(stem: str) -> tuple[str, str]:
    """A held-back title and a fitting title written like it (case and punctuation)."""
    for n in range(1000):
        title = f"{stem} {n}"
        for variant in (f"{title.upper()}.", f"{title}!", f"* {title} *"):
            if Case(title, "", "").held and not Case(variant, "", "").held:
                return title, variant
    raise AssertionError("no such pair")


def test_model_titles_keeps_the_fitting_titles_and_nothing_written_like_a_held_one(tmp_path):
    held, variant = held_and_fitting("Welder")
    fitting = next(
        f"Steel Welder {n}" for n in range(1000) if not Case(f"Steel Welder {n}", "", "").held
    )
    data = tmp_path / "titles.csv"
    with data.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(
            [
                [held, "welder"],
                [variant, "welder"],
                [fitting, "welder"],
                [fitting.lower(), "welder"],  # the same title again: kept once
                ["Software Engineer", "software developer"],  # not in the four sectors
            ]
        )
    out = tmp_path / "known.json"
    assert main(["model", "titles", "--data", str(data), "--out", str(out)]) == 0
    assert read_known_titles(out) == ((fitting, URI["welder"]),)


def test_the_shipped_known_titles_are_sector_occupations_and_never_held_back():
    known = read_known_titles(KNOWN_TITLES_FILE)
    assert len(known) > 1000
    assert all(occupation_by_uri(uri) is not None for _, uri in known)
    assert not any(Case(title, uri, "").held for title, uri in known)
    assert json.loads(KNOWN_TITLES_FILE.read_text(encoding="utf-8"))["source"]
    assert len({(title_key(t), uri) for t, uri in known}) == len(known)

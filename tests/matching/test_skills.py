"""Free-text skills land on the ESCO skill labels of the occupations, or on nothing."""

import threading

import pytest

from talentbridge.matching.skills import SkillVocabulary
from talentbridge.matching.toolkit import Toolkit

HEALTHCARE_ASSISTANT = "http://data.europa.eu/esco/occupation/d38c2107-98f2-47b7-8bb4-f69750d51082"


@pytest.fixture(scope="module")
def vocabulary(tools: Toolkit) -> SkillVocabulary:
    return SkillVocabulary(tools.embedder, cache_dir=tools.embedder.cache_dir).fit()


@pytest.fixture(scope="module")
def lexical() -> SkillVocabulary:
    return SkillVocabulary(None)


def test_an_exact_label_matches_whatever_its_case_and_punctuation(vocabulary):
    first_aid, forklift = vocabulary.normalise(["First Aid", " operate forklift. "])
    assert (first_aid.label, first_aid.confidence, first_aid.how) == ("first aid", 1.0, "exact")
    assert (forklift.label, forklift.how) == ("operate forklift", "exact")


@pytest.mark.parametrize("text", ["forklft", "fork-lift"])
def test_a_spelling_variant_matches_by_its_characters_without_a_model(lexical, text):
    (match,) = lexical.normalise([text])
    assert match is not None
    assert (match.label, match.how) == ("operate forklift", "lexical")
    assert lexical.min_confidence <= match.confidence < 1.0


def test_a_misspelt_skill_still_finds_a_welding_skill(vocabulary):
    (match,) = vocabulary.normalise(["weldng"])
    assert match is not None and "weld" in match.label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("harvesting rice", "harvest crop"),
        ("spray painting", "paint spraying techniques"),
    ],
)
def test_a_synonym_matches_by_meaning(vocabulary, lexical, text, label):
    (match,) = vocabulary.normalise([text])
    assert match is not None
    assert (match.label, match.how) == (label, "semantic")
    # The characters alone do not find it: the embedding did the work.
    assert lexical.normalise([text]) != [match]


@pytest.mark.parametrize("text", ["xyzzy qwerty", "asdf", "", "  ", "!!!"])
def test_nonsense_and_blanks_match_nothing(vocabulary, text):
    assert vocabulary.normalise([text]) == [None]


def test_a_batch_answers_in_order_and_repeats_agree(vocabulary):
    texts = ["weldng", "First aid", "xyzzy", "weldng", "MS Office"]
    once = vocabulary.normalise(texts)
    assert [m.label if m else None for m in once] == [
        once[0].label,
        "first aid",
        None,
        once[0].label,
        "use microsoft office",
    ]
    assert vocabulary.normalise(texts) == once  # the second time from the cache


def test_the_cache_stays_within_its_size():
    small = SkillVocabulary(None, cache_size=3)
    small.normalise([f"skill number {i}" for i in range(10)])
    assert len(small._cache) == 3


def test_threads_sharing_an_unfitted_vocabulary_agree():
    shared = SkillVocabulary(None)
    texts = ["forklft", "carpentry", "plastering"]
    answers: list[object] = []
    workers = [
        threading.Thread(target=lambda: answers.append(shared.normalise(texts))) for _ in range(8)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len(answers) == 8 and all(a == answers[0] for a in answers)
    assert answers[0][1].label == "carpentry"


def test_requirements_split_essential_from_optional_skills(vocabulary):
    essential, optional = vocabulary.requirements(HEALTHCARE_ASSISTANT)
    assert {"support nurses", "monitor basic patients signs"} <= set(essential)
    assert {"distribute meals to patients", "geriatrics"} <= set(optional)
    assert not set(essential) & set(optional)
    assert set(essential) | set(optional) <= set(vocabulary.labels)
    assert vocabulary.requirements("http://example.org/no-such-occupation") == ((), ())


def test_two_spellings_of_a_skill_give_one_key(vocabulary):
    keys = vocabulary.skill_keys_for(["Operate Forklift", "fork-lift", "Hindi!", ""])
    assert keys == {"operate forklift", "hindi"}

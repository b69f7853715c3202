"""The comparisons and the shipped parameters on hand-made pairs a clerk would recognise."""

from datetime import date
from types import SimpleNamespace

import pytest

from talentbridge.duplicates.compare import Record, blocked_pairs, compare
from talentbridge.duplicates.model import LinkageModel

MODEL = LinkageModel.load()
_ids = iter(range(1, 10_000))


def record(name: str, born: str, **fields: object) -> Record:
    row = {
        "id": next(_ids), "institute_id": 1, "full_name": name,
        "date_of_birth": date.fromisoformat(born), "state": "Uttar Pradesh", "sector": "care",
        "job_title": "care worker", **fields,
    }  # fmt: skip
    return Record.of(SimpleNamespace(**row))


def probability(a: Record, b: Record) -> float:
    import numpy as np

    return float(MODEL.probabilities(np.asarray([compare(a, b)]))[0])


def test_the_shipped_parameters_are_fitted_and_say_on_what():
    assert "synthetic" in MODEL.fitted_on["source"] or "programme" in MODEL.fitted_on["source"]
    assert MODEL.fitted_on["held_out"]["precision"] >= 0.95


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Mohammed Imran Ansari", "Ansari, Md. Imran"),
        ("Muhammad Arif Khan", "Mohd Arif Khan"),
        ("Pooja Srivastava", "Shrivastava Pooja"),
        ("Khushboo Choudhary", "Khushbu Chaudhari"),
    ],
)
def test_a_transliteration_variant_from_another_institute_is_found(first, second):
    a = record(first, "1997-03-14")
    b = record(second, "1997-03-14", institute_id=2)
    assert probability(a, b) >= MODEL.threshold


def test_a_swapped_day_and_month_is_found_and_blocked_together():
    a = record("Priya Sharma", "1998-04-07")
    b = record("Priya Sharma", "1998-07-04", institute_id=2, job_title="caregiver")
    assert compare(a, b)[1] == 3  # day_month_swapped
    assert probability(a, b) >= MODEL.threshold
    assert [tuple(p) for p in blocked_pairs([a, b])] == [(0, 1)]
    kinds = [kind for kind, _ in MODEL.reasons(compare(a, b))]
    assert set(kinds) == {"name", "birth_date", "state", "occupation"}


def test_one_digit_off_and_a_typo_together_are_still_found():
    a = record("Rakesh Maurya", "1995-11-23")
    b = record("Rakesh Mauraya", "1995-11-28", institute_id=2)
    assert probability(a, b) >= MODEL.threshold


@pytest.mark.parametrize(
    ("first", "second"),
    [("Rahul Yadav", "Vikas Yadav"), ("Divya Pandian", "Sowmya Pandian")],
)
def test_twins_with_other_first_names_are_not_paired(first, second):
    a = record(first, "2001-06-15")
    b = record(second, "2001-06-15", institute_id=2)
    assert probability(a, b) < MODEL.threshold


def test_a_common_name_born_on_another_day_is_another_person():
    a = record("Amit Kumar", "1995-02-11", state="Bihar")
    b = record("Amit Kumar", "1999-08-23", state="Bihar", institute_id=2)
    assert probability(a, b) < MODEL.threshold

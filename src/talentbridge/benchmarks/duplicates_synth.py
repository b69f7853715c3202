"""Seeded synthetic candidates with known duplicates, to fit and to judge the duplicate finder.

People get Indian names from the demo's data file (given names by region, surnames by
state). Some enrol at a second institute (a few twice at one), and the second record is
written as people and clerks write: a transliteration (Mohammed/Md., ee/i, sh/s, w/v,
doubled letters), the family name first, an initial, a dropped middle name, a typo, the
day and month swapped, one digit of the date off, another job title. Near misses are
different people: twins (same family name, birth date, state, other first names) and
people with exactly the same name born on other days.
"""

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from types import SimpleNamespace
from typing import Any

from talentbridge import reference

TITLES = {
    "care": ["care worker", "nursing assistant", "caregiver", "elderly care assistant"],
    "construction": ["mason", "welder", "scaffolder", "construction labourer"],
    "manufacturing": ["machine operator", "cnc operator", "assembly worker", "fitter"],
    "agriculture": ["farm worker", "greenhouse worker", "dairy farm hand", "tractor driver"],
}
# How people and clerks respell (the finder's own table of names is not used here)
RESPELL = (
    ("ee", "i"), ("i", "ee"), ("oo", "u"), ("u", "oo"), ("sh", "s"), ("v", "w"), ("w", "v"),
    ("aa", "a"), ("a", "aa"), ("th", "t"), ("dh", "d"), ("ph", "f"), ("ks", "x"), ("y", "i"),
)  # fmt: skip
MUHAMMAD = ("Mohammed", "Muhammad", "Mohammad", "Md.", "Mohd", "Mohamed")
MUSLIM_SURNAMES = {"Khan", "Ansari", "Siddiqui", "Shaikh", "Qureshi", "Pathan", "Sayyed"}


@dataclass
class Labelled:
    """A synthetic candidate and the person it is."""

    row: SimpleNamespace
    person: int


def _people_data() -> dict[str, Any]:
    text = resources.files("talentbridge.demo").joinpath("data/people.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


class Generator:
    """generate(n) gives about n records; the same seed gives the same records."""

    def __init__(self, seed: int, *, institutes: int = 40, duplicate_share: float = 0.06):
        self.rng = random.Random(seed)
        self.data = _people_data()
        self.states = list(self.data["states"])
        self.institutes = institutes
        self.duplicate_share = duplicate_share
        self._ids = 0

    # people --------------------------------------------------------------------------
    def _given(self, state: str, gender: str) -> str:
        region = self.data["states"][state]["given_names"]
        if self.rng.random() < 0.35:  # names travel: one from anywhere in India
            region = self.rng.choice(list(self.data["given_names"]))
        given: str = self.rng.choice(self.data["given_names"][region][gender])
        return given

    def _person(self, state: str | None = None) -> dict[str, Any]:
        rng = self.rng
        state = state or rng.choice(self.states)
        gender = rng.choice(("male", "female"))
        surname = rng.choice(self.data["states"][state]["surnames"])
        words = [self._given(state, gender)]
        if surname in MUSLIM_SURNAMES and gender == "male" and rng.random() < 0.4:
            words.insert(0, rng.choice(MUHAMMAD))
        elif rng.random() < 0.3:
            words.append(self._given(state, "male"))  # a middle name (often the father's)
        sector = rng.choice(reference.SECTORS)
        birth = date(1986, 1, 1) + timedelta(days=rng.randrange(20 * 365))
        return {
            "words": words, "surname": surname, "gender": gender, "state": state,
            "sector": sector, "birth": birth, "title": rng.choice(TITLES[sector]),
        }  # fmt: skip

    def _row(self, person: dict[str, Any], institute: int, name: str) -> SimpleNamespace:
        self._ids += 1
        return SimpleNamespace(
            id=self._ids, institute_id=institute, full_name=name,
            date_of_birth=person["birth"], state=person["state"], sector=person["sector"],
            job_title=person["title"],
        )  # fmt: skip

    # the second record of one person ---------------------------------------------------
    def _respell(self, word: str) -> str:
        if word in MUHAMMAD:
            return self.rng.choice([w for w in MUHAMMAD if w != word])
        options = [(a, b) for a, b in RESPELL if a in word.lower()]
        if not options:
            return word
        a, b = self.rng.choice(options)
        lowered = word.lower().replace(a, b, 1)
        return lowered.capitalize()

    def _typo(self, word: str) -> str:
        if len(word) < 4:
            return word
        i = self.rng.randrange(1, len(word))
        kind = self.rng.choice(("drop", "double", "swap", "replace"))
        if kind == "drop":
            return word[:i] + word[i + 1 :]
        if kind == "double":
            return word[:i] + word[i] + word[i:]
        if kind == "swap" and i < len(word) - 1:
            return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        return word[:i] + self.rng.choice("aeioun") + word[i + 1 :]

    def _variant_name(self, person: dict[str, Any]) -> str:
        rng = self.rng
        words, surname = list(person["words"]), person["surname"]
        changes = rng.choice((1, 1, 2))
        for _ in range(changes):
            what = rng.random()
            if what < 0.4:
                i = rng.randrange(len(words))
                words[i] = self._respell(words[i])
            elif what < 0.55:
                surname = self._respell(surname)
            elif what < 0.7:
                i = rng.randrange(len(words))
                words[i] = self._typo(words[i])
            elif what < 0.8 and len(words) > 1:
                words.pop()  # the middle name left out
            elif what < 0.9:
                words[-1] = words[-1][0] + "."  # an initial
        if rng.random() < 0.3:
            return f"{surname} {' '.join(words)}"  # family name first
        return f"{' '.join(words)} {surname}"

    def _variant_birth(self, birth: date) -> date:
        what = self.rng.random()
        if what < 0.2 and birth.day <= 12 and birth.day != birth.month:
            return birth.replace(month=birth.day, day=birth.month)
        if what < 0.3:
            for _ in range(10):
                text = list(birth.strftime("%Y%m%d"))
                i = self.rng.choice((3, 5, 7))
                text[i] = str(self.rng.randrange(10))
                try:
                    return date(
                        int("".join(text[:4])), int("".join(text[4:6])), int("".join(text[6:]))
                    )
                except ValueError:
                    continue
        return birth

    def _second(self, person: dict[str, Any], first: int) -> SimpleNamespace:
        same_place = self.rng.random() < 0.15
        institute = first if same_place else self._other_institute(first)
        moved = dict(person, birth=self._variant_birth(person["birth"]))
        if self.rng.random() < 0.1:
            moved["state"] = self.rng.choice(self.states)
        if self.rng.random() < 0.3:
            moved["title"] = self.rng.choice(TITLES[person["sector"]])
        return self._row(moved, institute, self._variant_name(person))

    def _other_institute(self, first: int) -> int:
        other = self.rng.randrange(1, self.institutes)
        return other if other < first else other + 1

    # the whole set -------------------------------------------------------------------
    def generate(self, n: int) -> list[Labelled]:
        out: list[Labelled] = []
        person_id = 0
        while len(out) < n:
            person_id += 1
            person = self._person()
            institute = self.rng.randrange(1, self.institutes + 1)
            name = f"{' '.join(person['words'])} {person['surname']}"
            out.append(Labelled(self._row(person, institute, name), person_id))
            roll = self.rng.random()
            if roll < self.duplicate_share:
                out.append(Labelled(self._second(person, institute), person_id))
            elif roll < self.duplicate_share + 0.01:  # a twin: another first name
                twin = dict(person, words=[self._given(person["state"], person["gender"])])
                if twin["words"][0] not in person["words"]:
                    person_id += 1
                    twin_name = f"{twin['words'][0]} {person['surname']}"
                    out.append(Labelled(self._row(twin, institute, twin_name), person_id))
            elif roll < self.duplicate_share + 0.02:  # the same name, born another day
                born = date(1986, 1, 1) + timedelta(days=self.rng.randrange(20 * 365))
                other = dict(person, birth=born)
                person_id += 1
                out.append(
                    Labelled(self._row(other, self._other_institute(institute), name), person_id)
                )
        return out[:n]


def true_pairs(records: list[Labelled]) -> set[tuple[int, int]]:
    """(smaller id, larger id) of every two records of one person."""
    by_person: dict[int, list[int]] = {}
    for r in records:
        by_person.setdefault(r.person, []).append(r.row.id)
    pairs: set[tuple[int, int]] = set()
    for ids in by_person.values():
        ids.sort()
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return pairs

"""Indian names in Latin script, made comparable: tokens in any order, known spellings of one
name folded together, a phonetic skeleton for the rest, initials matched to whole names.

"Md. Imran Ansari", "Mohammed Imran Ansari" and "Ansari, Muhammad Imran" come out alike;
"Rahul Yadav" and "Rohit Yadav" (twins, say) do not.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import jellyfish
from rapidfuzz.distance import JaroWinkler

_NOT_LETTERS = re.compile(r"[^a-z]+")
# Spellings of one sound (applied in order, on a casefolded token)
_SOUNDS = (
    ("ksh", "x"),
    ("ph", "f"),
    ("th", "t"),
    ("dh", "d"),
    ("bh", "b"),
    ("kh", "k"),
    ("gh", "g"),
    ("jh", "j"),
    ("ch", "c"),
    ("sh", "s"),
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("ck", "k"),
    ("ee", "i"),
    ("oo", "u"),
    ("ou", "u"),
    ("y", "i"),
)
_DOUBLE = re.compile(r"(.)\1+")


@cache
def _vocabulary() -> tuple[dict[str, str], frozenset[str]]:
    raw = json.loads(resources.files(__package__).joinpath("data/names.json").read_text("utf-8"))
    canonical = {spelling: group[0] for group in raw["same_name"] for spelling in group}
    return canonical, frozenset(raw["honorifics"])


def tokens(full_name: str) -> tuple[str, ...]:
    """The name's words, casefolded, accents and punctuation gone, honorifics dropped and
    known spellings folded to one ("Md." and "Mohammed" both give "muhammad")."""
    canonical, honorifics = _vocabulary()
    plain = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    words = _NOT_LETTERS.sub(" ", plain.casefold()).split()
    return tuple(canonical.get(w, w) for w in words if w not in honorifics)


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """The token as it sounds: one spelling per sound, doubled letters once, a final 'a' or
    'h' gone ("Srivastava" and "Shrivastav" meet)."""
    out = token
    for written, sound in _SOUNDS:
        out = out.replace(written, sound)
    out = out.replace("aa", "a")
    out = _DOUBLE.sub(r"\1", out)
    if len(out) > 3:
        out = out.rstrip("ah") or out
    return out


@lru_cache(maxsize=200_000)
def code(token: str) -> str:
    """A phonetic code for blocking (Metaphone of the skeleton)."""
    return jellyfish.metaphone(skeleton(token)) or token[:1]


@dataclass(frozen=True)
class Name:
    """A name prepared once for many comparisons."""

    tokens: tuple[str, ...]
    skeletons: tuple[str, ...]
    sorted: tuple[str, ...]  # the words in order, for the exact case

    @classmethod
    def of(cls, full_name: str) -> "Name":
        words = tokens(full_name)
        return cls(words, tuple(skeleton(w) for w in words), tuple(sorted(words)))


@lru_cache(maxsize=500_000)
def _token_score(a: str, sa: str, b: str, sb: str) -> float:
    """1 for one spelling, 0.95 for one sound, 0.9 for an initial and its name, else the
    Jaro-Winkler similarity of the skeletons."""
    if a == b:
        return 1.0
    if sa == sb:
        return 0.95
    if (len(a) == 1 and b.startswith(a)) or (len(b) == 1 and a.startswith(b)):
        return 0.9
    if len(a) == 1 or len(b) == 1:
        return 0.0
    return float(JaroWinkler.similarity(sa, sb))


def alignment(x: Name, y: Name) -> tuple[float, float, int]:
    """How well the shorter name's words find partners in the longer one, in any order:
    (weakest word's score, mean score, words left over in the longer name)."""
    if not x.tokens or not y.tokens:
        return 0.0, 0.0, 0
    if x.sorted == y.sorted:
        return 1.0, 1.0, 0
    short, long = (x, y) if len(x.tokens) <= len(y.tokens) else (y, x)
    free = list(range(len(long.tokens)))
    scores = []
    # Whole words first, so an initial does not take the word a whole name needs.
    order = sorted(range(len(short.tokens)), key=lambda i: len(short.tokens[i]) == 1)
    for i in order:
        best, best_j = -1.0, -1
        for j in free:
            s = _token_score(short.tokens[i], short.skeletons[i], long.tokens[j], long.skeletons[j])
            if s > best:
                best, best_j = s, j
        scores.append(best)
        free.remove(best_j)
    return min(scores), sum(scores) / len(scores), len(free)

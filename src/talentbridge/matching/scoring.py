"""The score's components, vectorised over whichever side of a pair is an array."""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

TOP_OCCUPATIONS = 5  # the query title's best occupations a stored record's may match
# A required skill ESCO lists as essential for the vacancy's occupation counts this much; one
# it lists as optional, or not at all, counts 1 (the employer asked for it all the same).
ESSENTIAL = 2.0
COMPONENTS = (
    "semantic",  # profile to profile
    "title",  # title to title
    "title_profile",  # the vacancy's title to the candidate's profile
    "expanded",  # the occupations the query's title suggests (their descriptions) to the profile
    "lexical",  # BM25 of the query's words in the stored record's words
    "occupation",
    "skills",
    "experience",
    "japanese",
    "partnership",
    "preference",
)


def base_components(
    c: Mapping[str, Any],
    v: Mapping[str, Any],
    similarity: np.ndarray,
    partners: np.ndarray,
) -> dict[str, np.ndarray]:
    """Every component but skills, vectorised over whichever side is an array."""
    # Discrete; the engine and plans replace it by `soft_occupation` when the title was scored.
    occupation = relation(c["occ"], c["isco"], v["occ"], v["isco"])
    need = np.maximum(v["min_experience"], 0.0)
    have = c["experience"]
    experience = np.where(
        have >= need,
        0.7 + 0.3 * np.minimum(1.0, (have - need) / 3.0),
        0.7 * have / np.maximum(need, 1e-9),
    )
    headroom = np.maximum(5 - v["min_level"], 1)
    japanese = np.where(
        c["level"] >= v["min_level"], 0.5 + 0.5 * (c["level"] - v["min_level"]) / headroom, 0.0
    )
    prefecture_bit = np.left_shift(np.uint64(1), np.asarray(v["prefecture"]).astype(np.uint64))
    prefers = (np.asarray(c["prefs"]) & prefecture_bit) != 0
    preference = np.where(prefers, 1.0, np.where(np.asarray(c["prefs"]) == 0, 0.5, 0.0))
    return {
        "semantic": np.clip(similarity, 0.0, 1.0),
        "occupation": occupation,
        "experience": experience,
        "japanese": japanese,
        "partnership": partners[c["state"], v["prefecture"]],
        "preference": preference,
    }


def relation(a_occ: np.ndarray, a_isco: np.ndarray, b_occ: Any, b_isco: Any) -> np.ndarray:
    """1 for the same ESCO occupation, 0.75 the same ISCO-08 unit group, 0.3 the same minor
    group. The unit group is where taxonomies meet (each national one is mapped to ISCO-08):
    a title written in another's terms more often lands on a sibling of the right ESCO
    occupation than on the occupation itself. 0.75 (was 0.6) was chosen on the fitting
    titles, where it raised the other-taxonomy check and left the dev split level."""
    same_occ = (a_occ >= 0) & (a_occ == b_occ)
    same_group = (a_isco >= 0) & (a_isco == b_isco)
    same_minor = (a_isco >= 0) & (a_isco // 10 == np.asarray(b_isco) // 10)
    out: np.ndarray = np.where(
        same_occ, 1.0, np.where(same_group, 0.75, np.where(same_minor, 0.3, 0.0))
    )
    return out


def soft_occupation(
    occ_scores: np.ndarray | None,
    groups: np.ndarray,
    occ: np.ndarray,
    isco: np.ndarray,
    others: Sequence[tuple[np.ndarray, np.ndarray]] = (),
) -> np.ndarray | None:
    """How well the stored rows' occupations (occ, isco) fit the query's title: the fit of
    the row's own occupation, or if more, the best over the title's top few occupations of
    that occupation's fit times its relation to the row's. The fit is the title's own
    score (1 for an exact label, lower as the match gets less sure), so the component
    shrinks with the normaliser's confidence. A row's next best occupations (`others`:
    (occupation, relative score) arrays) count too, discounted by their score. None
    without scores."""
    if occ_scores is None or not len(occ_scores) or occ_scores.max() <= 0:
        return None
    rows = [(a[None, :], f[None, :]) for a, f in others]
    soft: np.ndarray = soft_occupation_rows(
        occ_scores[None, :], groups, occ[None, :], isco[None, :], rows
    )[0]
    return soft


def soft_occupation_rows(
    occ_scores: np.ndarray,
    groups: np.ndarray,
    occ: np.ndarray,
    isco: np.ndarray,
    others: Sequence[tuple[np.ndarray, np.ndarray]] = (),
) -> np.ndarray:
    """`soft_occupation` for many queries at once: occ_scores (queries x occupations),
    occ and isco (1 x rows), others [(occupations, relative scores) (1 x rows)] ->
    (queries x rows). Worked out once per occupation, then looked up per row."""
    table = _fit_table(occ_scores, groups)
    best = _look_up(table, occ_scores, groups, occ, isco)
    for alternative, fit in others:
        known = alternative >= 0
        if known.any():
            found = np.where(known, _column(table, alternative) * fit, 0.0)
            np.maximum(best, found, out=best)
    return best


def _fit_table(occ_scores: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """For every occupation o (queries x occupations): the title's own fit to o, or if
    more, the best over its top few occupations of their fit times their relation to o."""
    every = np.arange(occ_scores.shape[1])[None, :]
    return _fit_rows(occ_scores, groups, every, groups[None, :])


def _look_up(
    table: np.ndarray, occ_scores: np.ndarray, groups: np.ndarray, occ: np.ndarray, isco: np.ndarray
) -> np.ndarray:
    """The table's value for each row's occupation; a row with only an ISCO group (an
    occupation this data does not ship) is worked out from its group."""
    best = np.where(occ >= 0, _column(table, occ), 0.0).astype(np.float64)
    grouped_only = (occ < 0) & (isco >= 0)
    if grouped_only.any():
        np.maximum(
            best, np.where(grouped_only, _fit_rows(occ_scores, groups, occ, isco), 0.0), out=best
        )
    return best


def _column(table: np.ndarray, occ: np.ndarray) -> np.ndarray:
    """table[:, occ] for occupations given as a (1 x rows) array; -1 reads column 0."""
    picked: np.ndarray = np.take(table, np.maximum(occ, 0).ravel(), axis=1)
    return picked


def _fit_rows(
    occ_scores: np.ndarray, groups: np.ndarray, occ: np.ndarray, isco: np.ndarray
) -> np.ndarray:
    k = min(TOP_OCCUPATIONS, occ_scores.shape[1])
    top = np.argpartition(-occ_scores, k - 1, axis=1)[:, :k]
    # The row's own occupation's fit, wherever it ranks; then relatives of the top few.
    rows = np.broadcast_to(occ, (occ_scores.shape[0], occ.shape[-1]))
    direct = np.take_along_axis(occ_scores, np.maximum(rows, 0), axis=1)
    best = np.where(rows >= 0, direct, 0.0).astype(np.float64)
    for j in range(k):
        choice = top[:, j : j + 1]
        fit = np.take_along_axis(occ_scores, choice, axis=1)
        np.maximum(best, fit * relation(occ, isco, choice, groups[choice]), out=best)
    return best


def expansion(occ_scores: np.ndarray | None, descriptions: np.ndarray | None) -> np.ndarray | None:
    """The query's title expanded into what its likely occupations do: the unit mean of the
    descriptions of its top few occupations, weighted by the square of their fit. None
    without scores or descriptions."""
    if occ_scores is None or descriptions is None or not len(occ_scores):
        return None
    k = min(TOP_OCCUPATIONS, len(occ_scores))
    top = np.argpartition(-occ_scores, k - 1)[:k]
    weights = np.square(occ_scores[top].astype(np.float64))
    if weights.sum() <= 0:
        return None
    mixed = weights @ descriptions[top]
    norm = float(np.linalg.norm(mixed))
    return (mixed / norm).astype(np.float32) if norm > 0 else None


def _met(need: str | tuple[str, ...], have: frozenset[str]) -> bool:
    """A required key is met by the same key or one containing the other; a required skill
    widened by meaning (`meanings`: its key, then the keys that mean it) also by any of
    those."""
    if isinstance(need, tuple):
        return _met(need[0], have) or any(other in have for other in need[1:])
    return need in have or any(need in skill or skill in need for skill in have if len(skill) > 3)


def skill_overlap(
    required: Sequence[str | tuple[str, ...]],
    have: frozenset[str],
    weights: Sequence[float] | None = None,
) -> tuple[float, list[int]]:
    """Share of required skills the candidate lists (exact or one contains the other), each
    counted by its weight (`ESSENTIAL` for one the vacancy's occupation cannot do without,
    else 1), and the positions of the required skills met."""
    if not required:
        return 0.5, []
    hits = [i for i, need in enumerate(required) if _met(need, have)]
    if weights is None or len(weights) != len(required):
        return len(hits) / len(required), hits
    return sum(weights[i] for i in hits) / sum(weights), hits

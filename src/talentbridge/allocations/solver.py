"""Who goes where: the most placements, then the highest total score, on a sparse graph.

Pure: arrays in, chosen edges out. Each edge is (vacancy, candidate, score); each
vacancy takes at most its capacity, each candidate at most one vacancy.
"""

import numpy as np
from scipy.sparse import csr_matrix


def _check(
    vacancy: np.ndarray, candidate: np.ndarray, score: np.ndarray, capacity: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    vacancy = np.asarray(vacancy, dtype=np.int64)
    candidate = np.asarray(candidate, dtype=np.int64)
    score = np.clip(np.asarray(score, dtype=np.float64), 0.0, 1.0)
    capacity = np.maximum(np.asarray(capacity, dtype=np.int64), 0)
    if not (len(vacancy) == len(candidate) == len(score)):
        raise ValueError("vacancy, candidate and score must have one entry per edge")
    if len(vacancy) and (vacancy.min() < 0 or vacancy.max() >= len(capacity)):
        raise ValueError("an edge names a vacancy outside capacity")
    return vacancy, candidate, score, capacity


def assign(
    vacancy: np.ndarray, candidate: np.ndarray, score: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """Indices of the chosen edges: as many pairs as possible, then the most total score.

    Each vacancy becomes one row per opening (its slots), each slot also gets a private
    "nobody" column costing more than any change in real scores can repay, so a full
    matching of the slots always exists, and the cheapest one is the largest real matching
    with the highest score (a real edge costs 2 − score ∈ [1, 2]). Solved by SciPy's
    sparse LAPJVsp (`min_weight_full_bipartite_matching`) on the edges only.
    """
    vacancy, candidate, score, capacity = _check(vacancy, candidate, score, capacity)
    keep = capacity[vacancy] > 0
    edges = np.flatnonzero(keep)
    if not len(edges):
        return np.zeros(0, dtype=np.int64)
    vacancy, candidate, score = vacancy[edges], candidate[edges], score[edges]
    people, column = np.unique(candidate, return_inverse=True)
    # Openings beyond a vacancy's edge count can never be filled: give it no more slots.
    slots = np.minimum(capacity, np.bincount(vacancy, minlength=len(capacity)))
    first = np.concatenate(([0], np.cumsum(slots)))
    total = int(first[-1])
    per_edge = slots[vacancy]
    edge_of = np.repeat(np.arange(len(edges)), per_edge)
    offset = np.arange(len(edge_of)) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    rows = first[vacancy[edge_of]] + offset
    nobody = 2.0 * (total + 2)  # > the largest score change one more real pair can cause
    graph = csr_matrix(
        (
            np.concatenate((2.0 - score[edge_of], np.full(total, nobody))),
            (
                np.concatenate((rows, np.arange(total))),
                np.concatenate((column[edge_of], len(people) + np.arange(total))),
            ),
        ),
        shape=(total, len(people) + total),
    )
    # Imported here: SciPy's graph routines are 12 MB resident in every server process, and
    # only an allocation plan needs them.
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    _, matched = min_weight_full_bipartite_matching(graph)
    real = matched < len(people)
    slot_vacancy = np.repeat(np.arange(len(capacity)), slots)
    # Map each (slot, column) pair back to its edge.
    key = slot_vacancy[real].astype(np.int64) * len(people) + matched[real]
    edge_key = vacancy * len(people) + column
    order = np.argsort(edge_key, kind="stable")
    found = order[np.searchsorted(edge_key[order], key)]
    return np.sort(edges[found])


def greedy(
    vacancy: np.ndarray, candidate: np.ndarray, score: np.ndarray, capacity: np.ndarray
) -> np.ndarray:
    """The baseline: vacancies in turn (by index, round after round) take their best
    remaining candidate from their own list, until no vacancy can take anyone."""
    vacancy, candidate, score, capacity = _check(vacancy, candidate, score, capacity)
    order = np.lexsort((candidate, -score, vacancy))  # per vacancy, best first
    starts = np.searchsorted(vacancy[order], np.arange(len(capacity) + 1))
    pointer = starts[:-1].copy()
    left = capacity.copy()
    taken: set[int] = set()
    chosen: list[int] = []
    active = [v for v in range(len(capacity)) if left[v] > 0 and pointer[v] < starts[v + 1]]
    while active:
        still = []
        for v in active:
            end = starts[v + 1]
            p = pointer[v]
            while p < end and int(candidate[order[p]]) in taken:
                p += 1
            if p < end:
                edge = int(order[p])
                taken.add(int(candidate[edge]))
                chosen.append(edge)
                left[v] -= 1
                p += 1
            pointer[v] = p
            if left[v] > 0 and p < end:
                still.append(v)
        active = still
    return np.sort(np.asarray(chosen, dtype=np.int64))

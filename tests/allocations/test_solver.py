"""The solver alone, on exact small cases and against brute force."""

import itertools

import numpy as np
import pytest

from talentbridge.allocations.solver import assign, greedy


def _pairs(edges, chosen):
    vacancy, candidate, _ = edges
    return sorted((int(vacancy[i]), int(candidate[i])) for i in chosen)


def _edges(rows):
    vacancy, candidate, score = zip(*rows, strict=True)
    return np.array(vacancy), np.array(candidate), np.array(score, dtype=float)


def test_greedy_fills_one_where_the_plan_fills_both():
    # Both vacancies like candidate 10 best; vacancy 1 can only use 10.
    edges = _edges([(0, 10, 0.9), (0, 11, 0.8), (1, 10, 0.7)])
    capacity = np.array([1, 1])
    assert _pairs(edges, greedy(*edges, capacity)) == [(0, 10)]
    assert _pairs(edges, assign(*edges, capacity)) == [(0, 11), (1, 10)]


def test_more_people_placed_beats_a_higher_score():
    edges = _edges([(0, 10, 1.0), (0, 11, 0.01), (1, 10, 0.02)])
    assert _pairs(edges, assign(*edges, np.array([1, 1]))) == [(0, 11), (1, 10)]


def test_among_full_plans_the_higher_total_score_wins():
    edges = _edges([(0, 10, 0.9), (0, 11, 0.5), (1, 10, 0.8), (1, 11, 0.7)])
    assert _pairs(edges, assign(*edges, np.array([1, 1]))) == [(0, 10), (1, 11)]


def test_openings_and_one_vacancy_per_candidate():
    edges = _edges([(0, 1, 0.5), (0, 2, 0.9), (0, 3, 0.7), (1, 2, 0.95)])
    chosen = _pairs(edges, assign(*edges, np.array([2, 1])))
    # Vacancy 0 has two openings: 2 goes to vacancy 1 (the only way to fill it).
    assert chosen == [(0, 1), (0, 3), (1, 2)]


def test_no_capacity_and_no_edges():
    edges = _edges([(0, 1, 0.5)])
    assert len(assign(*edges, np.array([0]))) == 0
    assert len(greedy(*edges, np.array([0]))) == 0
    empty = (np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    assert len(assign(*empty, np.array([3]))) == 0


def test_an_edge_to_an_unknown_vacancy_is_refused():
    with pytest.raises(ValueError, match="capacity"):
        assign(*_edges([(2, 1, 0.5)]), np.array([1]))


def _best_by_brute_force(edges, capacity):
    vacancy, candidate, score = edges
    best = (-1, -1.0)
    for subset in itertools.product([0, 1], repeat=len(vacancy)):
        picked = [i for i, on in enumerate(subset) if on]
        if len({int(candidate[i]) for i in picked}) < len(picked):
            continue
        if any(sum(1 for i in picked if vacancy[i] == v) > c for v, c in enumerate(capacity)):
            continue
        best = max(best, (len(picked), round(float(score[picked].sum()), 9)))
    return best


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force_and_never_fills_fewer_than_greedy(seed):
    rng = np.random.default_rng(seed)
    n_vacancies, n_candidates = rng.integers(1, 4), rng.integers(1, 6)
    pairs = [(v, c) for v in range(n_vacancies) for c in range(n_candidates) if rng.random() < 0.5][
        :11
    ]
    if not pairs:
        return
    edges = (
        np.array([p[0] for p in pairs]),
        np.array([p[1] for p in pairs]),
        rng.random(len(pairs)).round(3),
    )
    capacity = rng.integers(0, 3, n_vacancies)
    chosen = assign(*edges, capacity)
    found = (len(chosen), round(float(edges[2][chosen].sum()), 9))
    assert found == _best_by_brute_force(edges, capacity)
    assert len(chosen) >= len(greedy(*edges, capacity))

"""Small seeded helpers the planning modules share."""

import math
import random
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import Any

from talentbridge import reference


def weighted(rng: random.Random, weights: Mapping[Any, float]) -> Any:
    """One key of weights, drawn in proportion to its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def quota(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """n sector labels in the given shares, each sector at least once when n allows, shuffled."""
    counts = {s: max(1 if n >= len(shares) else 0, round(n * share)) for s, share in shares.items()}
    largest = max(counts, key=lambda s: counts[s])
    counts[largest] += n - sum(counts.values())
    labels = [s for s, c in counts.items() for _ in range(c)]
    rng.shuffle(labels)
    return labels


def growing_moment(rng: random.Random, start: datetime, end: datetime, growth: float) -> datetime:
    """A moment in [start, end), denser towards the end (activity grows exponentially)."""
    u = rng.random()
    x = math.log1p(u * math.expm1(growth)) / growth
    return start + (end - start) * x


def growing_moments(
    rng: random.Random, n: int, start: datetime, end: datetime, growth: float
) -> list[datetime]:
    """n moments in [start, end), oldest first, denser towards the end."""
    return sorted(growing_moment(rng, start, end, growth) for _ in range(n))


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after day's month."""
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


@cache
def partners(state: str) -> frozenset[str]:
    """The prefectures partnered with an Indian state (none for no state)."""
    return reference.partner_prefectures(state) if state else frozenset()

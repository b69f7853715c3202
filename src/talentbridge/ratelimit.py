"""A bounded, in-process limiter of failed authentication attempts.

Sliding window per key (a client address, a key prefix): after `limit` failures within
`window` seconds the key is refused until the oldest failure leaves the window. At most
`capacity` keys are remembered (least recently failed forgotten first), each with at most
`limit` timestamps, so an attacker cycling addresses or prefixes cannot grow memory.
Per process: with several server processes each counts its own failures.
"""

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class _Failures:
    times: deque[float]
    reported: bool = field(default=False)


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # whole seconds until another attempt is considered
    first: bool  # the first refusal of this block (worth an audit entry)


class FailureLimiter:
    def __init__(
        self,
        *,
        limit: int,
        window: float,
        capacity: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.capacity = capacity
        self.clock = clock
        self._keys: OrderedDict[str, _Failures] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._keys)

    def check(self, keys: Sequence[str]) -> Refusal | None:
        """A refusal when any of the keys has used up its failures; else None."""
        now = self.clock()
        worst: Refusal | None = None
        with self._lock:
            for key in keys:
                entry = self._keys.get(key)
                if entry is None:
                    continue
                while entry.times and entry.times[0] <= now - self.window:
                    entry.times.popleft()
                if len(entry.times) < self.limit:
                    continue
                wait = max(1, math.ceil(entry.times[0] + self.window - now))
                first = not entry.reported or (worst is not None and worst.first)
                entry.reported = True
                if worst is None or wait > worst.retry_after:
                    worst = Refusal(retry_after=wait, first=first)
                else:
                    worst = Refusal(retry_after=worst.retry_after, first=first)
        return worst

    def fail(self, keys: Sequence[str]) -> None:
        """Count one failed attempt against each key."""
        now = self.clock()
        with self._lock:
            for key in keys:
                entry = self._keys.pop(key, None) or _Failures(deque(maxlen=self.limit))
                entry.times.append(now)
                entry.reported = False
                self._keys[key] = entry  # most recent last
                while len(self._keys) > self.capacity:
                    self._keys.popitem(last=False)

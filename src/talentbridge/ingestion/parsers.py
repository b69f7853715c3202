"""Uploaded files are read in a few processes of their own, not in the server's.

Reading a file is Python work that holds the interpreter's lock while it runs. On threads of
the server process, a stream of hostile workbooks (each refused within 0.5 s) made every
other request wait for that lock: another client's p95 went from 84 to 269 ms (issue 22).
So a child process reads each file, with the same limits checked as it reads (sheets.py),
and sends back its rows or the refusal, whose words are the same as in-process.

A child holds at most `bulk_parse_memory_bytes` more than when it was ready (RLIMIT_AS) and
reads one file for at most `bulk_parse_seconds` (a timer in the child; the server kills it
a little later if the timer could not fire). Past either, the file is refused with 422
naming the file. A child that dies is replaced and its upload refused the same way: an
upload is answered, never dropped. `bulk_parse_processes` children (started with the first
upload) read at most that many files at once; the others wait their turn. The server waits
for a child on threads of this module's own, never on the request threads.

    python -m talentbridge.ingestion.parsers MEMORY_BYTES SECONDS

is a child: it reads (data, content type, limits) pickled on stdin and writes its answer
pickled on stdout, until stdin closes (the server went away).
"""

import asyncio
import contextlib
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from talentbridge.errors import DomainError, Invalid
from talentbridge.ingestion import reading
from talentbridge.ingestion.reading import Parsed, SourceRow
from talentbridge.ingestion.sheets import Limits

if TYPE_CHECKING:
    from talentbridge.config import Settings

GRACE_SECONDS = 5.0  # past the child's own timer, before the server kills it
CHUNK_ROWS = 250  # rows per piece of an answer (a few milliseconds to unpickle)
SOURCE = str(Path(__file__).resolve().parents[2])  # the folder talentbridge is imported from


def limits_of(settings: "Settings") -> Limits:
    return Limits(
        max_rows=settings.bulk_max_rows,
        max_unpacked_bytes=settings.bulk_max_unpacked_bytes,
        max_ratio=settings.bulk_max_ratio,
    )


async def read_upload(settings: "Settings", data: bytes, content_type: str) -> Parsed:
    """The upload's rows, read away from the event loop and the request threads; Invalid
    (naming the field) when it cannot be read or is past a limit."""
    loop = asyncio.get_running_loop()
    limits = limits_of(settings)
    if settings.bulk_parse_processes == 0:
        threads = _threads(2)
        return await loop.run_in_executor(
            threads, reading.rows_from_upload, data, content_type, limits
        )
    pool = start(settings)
    assert pool is not None
    return await loop.run_in_executor(pool.threads, pool.read, data, content_type, limits)


def start(settings: "Settings") -> "Pool | None":
    """The readers of this process (started by the first call); None when files are read on
    threads of the server process."""
    if settings.bulk_parse_processes == 0:
        return None
    return _pool(
        settings.bulk_parse_processes,
        settings.bulk_parse_memory_bytes,
        settings.bulk_parse_seconds,
    )


@cache
def _threads(count: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=count, thread_name_prefix="upload-reader")


@cache
def _pool(processes: int, memory_bytes: int, seconds: float) -> "Pool":
    return Pool(processes, memory_bytes, seconds)


def too_big(memory_bytes: int) -> str:
    return (
        f"reading the file needed more than {memory_bytes // 1_000_000:,} MB, more than an "
        "upload may use; split it into smaller files"
    )


def too_long(seconds: float) -> str:
    return (
        f"reading the file took more than {seconds:g} s, longer than an upload may take; "
        "split it into smaller files"
    )


def stopped(budget: "_Budget") -> str:
    return (
        "reading the file stopped before the end: it needed more than "
        f"{budget.memory_bytes // 1_000_000:,} MB or {budget.seconds:g} s, more than an upload "
        "may use; split it into smaller files"
    )


@dataclass(frozen=True)
class _Budget:
    memory_bytes: int
    seconds: float


class _Child:
    """One reading process and the pipes to it."""

    def __init__(self, budget: _Budget) -> None:
        path = os.environ.get("PYTHONPATH", "")
        env = {
            **os.environ,
            "PYTHONPATH": SOURCE + (os.pathsep + path if path else ""),
            "OPENBLAS_NUM_THREADS": "1",  # openpyxl imports NumPy; one file, one thread
            "OMP_NUM_THREADS": "1",
        }
        command = [sys.executable, "-m", __name__, str(budget.memory_bytes), str(budget.seconds)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: tuple[Any, ...], timeout: float) -> tuple[Any, ...]:
        """The child's answer; OSError, EOFError or pickle's errors if it died or went quiet
        for `timeout` seconds."""
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        pickle.dump(request, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.flush()
        ready, _, _ = select.select([stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("the reading process did not answer")
        answer = pickle.load(stdout)
        assert isinstance(answer, tuple)
        if answer[0] != "rows":
            return answer
        _, columns, chunks = answer
        rows: list[SourceRow] = []
        for _ in range(chunks):  # others' threads may run between two
            rows += pickle.load(stdout)
        return ("rows", Parsed(columns, rows))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


class Pool:
    """`processes` children, each reading one file at a time, and as many threads that wait
    for them: a thread always finds a child free."""

    def __init__(self, processes: int, memory_bytes: int, seconds: float) -> None:
        self.budget = _Budget(memory_bytes, seconds)
        self.threads = ThreadPoolExecutor(max_workers=processes, thread_name_prefix="upload")
        self._idle: queue.SimpleQueue[_Child] = queue.SimpleQueue()
        for _ in range(processes):
            self._idle.put(_Child(self.budget))  # they import while the first file arrives

    def read(self, data: bytes, content_type: str, limits: Limits) -> Parsed:
        child = self._idle.get()
        if not child.alive:  # it died while idle: the file it would read is not to blame
            child.stop()
            child = _Child(self.budget)
        try:
            answer = child.ask((data, content_type, limits), self.budget.seconds + GRACE_SECONDS)
        except (OSError, EOFError, TimeoutError, pickle.UnpicklingError) as exc:
            child.stop()
            child = _Child(self.budget)
            raise Invalid(stopped(self.budget), field="file") from exc
        finally:
            self._idle.put(child)
        return _outcome(answer)


def _outcome(answer: tuple[Any, ...]) -> Parsed:
    kind = answer[0]
    if kind == "rows":
        assert isinstance(answer[1], Parsed)
        return answer[1]
    if kind == "refused":
        code, params = answer[3:5] if len(answer) > 3 else (None, None)
        raise Invalid(answer[1], field=answer[2], code=code, params=params)
    raise RuntimeError(f"reading an upload failed in its process:\n{answer[1]}")


# The child ------------------------------------------------------------------------------
class _TooLong(BaseException):
    """The reading's time is up: not an Exception, so no reader's `except Exception` takes it
    for a fault of the file."""


def _ring(signum: int, frame: object) -> None:
    raise _TooLong


def _answer(request: tuple[Any, ...], budget: _Budget) -> tuple[Any, ...]:
    data, content_type, limits = request
    signal.setitimer(signal.ITIMER_REAL, budget.seconds)
    try:
        return ("rows", reading.rows_from_upload(data, content_type, limits))
    except DomainError as exc:
        return ("refused", exc.message, exc.field, exc.code, exc.params)
    except MemoryError:
        return ("refused", too_big(budget.memory_bytes), "file")
    except _TooLong:
        return ("refused", too_long(budget.seconds), "file")
    except Exception:
        return ("failed", traceback.format_exc())
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _limit_memory(memory_bytes: int) -> None:
    """At most `memory_bytes` of address space more than now (where /proc tells how much
    that is, and the platform has the limit)."""
    try:
        import resource

        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmSize"))
    except (ImportError, OSError, StopIteration):
        return
    most = int(line.split()[1]) * 1024 + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (most, most))


def serve(requests: BinaryIO, answers: BinaryIO, budget: _Budget) -> None:
    """Answer requests until the server closes the pipe."""
    import openpyxl  # noqa: F401  imported before the memory limit is counted from

    _limit_memory(budget.memory_bytes)
    # The lowest priority: a file being read takes only the CPU the server's requests leave,
    # so one hostile workbook slows nobody else's answers (2 cores: the reader had one).
    with contextlib.suppress(AttributeError, OSError):
        os.nice(19)
    signal.signal(signal.SIGALRM, _ring)
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        _send(answers, _answer(request, budget))


def _send(answers: BinaryIO, answer: tuple[Any, ...]) -> None:
    """The answer, its rows in chunks: unpickled at once, 10,000 rows held the server's lock
    for 220 ms in one piece."""
    if answer[0] != "rows":
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        rows = answer[1].rows
        chunks = range(0, len(rows), CHUNK_ROWS)
        pickle.dump(("rows", answer[1].columns, len(chunks)), answers)
        for start in chunks:
            pickle.dump(rows[start : start + CHUNK_ROWS], answers, protocol=pickle.HIGHEST_PROTOCOL)
    answers.flush()


if __name__ == "__main__":
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    serve(sys.stdin.buffer, answers, _Budget(int(sys.argv[1]), float(sys.argv[2])))

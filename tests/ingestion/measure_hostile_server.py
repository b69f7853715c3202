"""Others' latency and a real server's memory while hostile workbooks are uploaded.

    PYTHONPATH=src:. .venv/bin/python -m tests.ingestion.measure_hostile_server

Starts `talentbridge serve` on 127.0.0.1:8765 over a throw-away SQLite file, twice: files
read on threads of the server process (TALENTBRIDGE_BULK_PARSE_PROCESSES=0, as before) and
in reading processes of their own (the default). Each time it measures GET
/api/v1/candidates alone, then while another process uploads every file of
tests/ingestion/hostile.py back to back (by turns, three times); prints p50/p95 of both
beside each other, the server's RSS (and its readers') and each file's slowest refusal.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.ingestion.hostile import HOSTILE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN = "x" * 40
URL = "http://127.0.0.1:8765"
COMMAND = os.path.join(os.path.dirname(sys.executable), "talentbridge")
PROBES = 150  # requests per phase; the phases alternate ROUNDS times
ROUNDS = 3
CLIENT_NICE = int(os.environ.get("HOSTILE_CLIENT_NICE", "19"))
MODES = {"server threads (before)": "0", "2 reading processes": "2"}

# The uploader is a process of its own: in a thread of this one, its Python work would
# delay the probe's requests as much as the server's.
UPLOADER = """
import json, sys, httpx
folder, url, key = sys.argv[1:]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
names = json.load(open(folder + "/names.json"))
h = httpx.Client(base_url=url, timeout=120)
while True:
    for index, name in enumerate(names):
        data = open(f"{folder}/{index}.xlsx", "rb").read()
        t = __import__("time").perf_counter()
        r = h.post("/api/v1/candidates/bulk", files={"file": ("x.xlsx", data, XLSX)},
                   headers={"Authorization": f"Bearer {key}"})
        took = __import__("time").perf_counter() - t
        print(json.dumps([name, r.status_code, round(took, 2)]), flush=True)
"""


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _memory(pid: int) -> str:
    readers = [_rss(child) for child in _children(pid)]
    return f"{_rss(pid)}" + (f" + readers {'+'.join(map(str, readers))}" if readers else "")


def _probe(client: httpx.Client, auth: dict[str, str]) -> list[float]:
    out = []
    for _ in range(PROBES):
        t = time.perf_counter()
        client.get("/api/v1/candidates?limit=5", headers=auth)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _p50_p95(samples: list[float]) -> tuple[float, float]:
    out = sorted(samples)
    return out[len(out) // 2], out[int(len(out) * 0.95)]


def _run(folder: str, processes: str) -> dict[str, object]:
    db = os.path.join(tempfile.mkdtemp(), "hostile.db")
    env = {
        **os.environ,
        "TALENTBRIDGE_DATABASE_URL": f"sqlite:///{db}",
        "TALENTBRIDGE_ADMIN_TOKEN": ADMIN,
        "TALENTBRIDGE_INPROCESS_WORKER": "false",
        "TALENTBRIDGE_BULK_PARSE_PROCESSES": processes,
        "HF_HUB_OFFLINE": "1",
    }
    subprocess.run([COMMAND, "migrate"], env=env, check=False, capture_output=True)
    server = subprocess.Popen(
        [COMMAND, "serve", "--port", "8765"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        return _measure(server, folder)
    finally:
        server.terminate()
        server.wait(20)


def _measure(server: subprocess.Popen[bytes], folder: str) -> dict[str, object]:
    c = httpx.Client(base_url=URL, timeout=120)
    for _ in range(600):
        try:
            if c.get("/health").status_code in (200, 503):
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    key = c.post(
        "/api/v1/organisations",
        json={"kind": "institute", "name": "i", "state": "Kerala"},
        headers={"Authorization": f"Bearer {ADMIN}"},
    ).json()["api_key"]
    auth = {"Authorization": f"Bearer {key}"}
    people = [
        {"external_id": f"E{i}", "full_name": "A B", "date_of_birth": "1998-01-01"}
        for i in range(50)
    ]
    c.post("/api/v1/candidates/bulk", json=[p | {"sector": "care"} for p in people], headers=auth)
    before = _memory(server.pid)
    alone: list[float] = []
    during: list[float] = []
    results = []
    for _ in range(ROUNDS):  # alone and during by turns: the shared machine's load drifts
        alone += _probe(c, auth)
        uploader = subprocess.Popen(
            [sys.executable, "-c", UPLOADER, folder, URL, key],
            stdout=subprocess.PIPE,
            text=True,
            # The hostile client stands for one on another machine: on these 2 shared cores
            # its own CPU (building 2 MB bodies back to back) would otherwise be measured as
            # the server's slowness. HOSTILE_CLIENT_NICE=0 measures it at equal priority.
            preexec_fn=lambda: os.nice(CLIENT_NICE),
        )
        time.sleep(1.0)
        during += _probe(c, auth)
        uploader.kill()
        results += [json.loads(line) for line in uploader.communicate()[0].splitlines() if line]
    after = _memory(server.pid)
    return {
        "alone": _p50_p95(alone),
        "during": _p50_p95(during),
        "before": before,
        "after": after,
        "results": results,
    }


def main() -> None:
    folder = tempfile.mkdtemp()
    Path(folder, "names.json").write_text(json.dumps(list(HOSTILE)))
    for index, make in enumerate(HOSTILE.values()):
        Path(folder, f"{index}.xlsx").write_bytes(make())
    runs = {mode: _run(folder, processes) for mode, processes in MODES.items()}
    print(
        f"others' GET /api/v1/candidates?limit=5, p50/p95 ms, same run (client nice {CLIENT_NICE}):"
    )
    print(f"  {'files read on':26} {'alone':>9} {'during hostile uploads':>24}  p95 during/alone")
    for mode, run in runs.items():
        (a50, a95), (d50, d95) = run["alone"], run["during"]  # type: ignore[misc]
        print(f"  {mode:26} {a50:4.0f}/{a95:<4.0f} {d50:19.0f}/{d95:<4.0f}  {d95 / a95:.2f}x")
    for mode, run in runs.items():
        results: list[list[object]] = run["results"]  # type: ignore[assignment]
        print(
            f"{mode}: server RSS MB before {run['before']}, "
            f"after {len(results)} hostile uploads {run['after']}"
        )
        worst: dict[str, tuple[object, float]] = {}
        for name, status, secs in results:
            worst[str(name)] = (status, max(float(secs), worst.get(str(name), (0, 0.0))[1]))
        for name, (status, secs) in worst.items():
            print(f"  {name}: {status}, slowest {secs} s")


if __name__ == "__main__":
    main()

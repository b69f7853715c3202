"""Others' latency and a real server's memory while hostile workbooks are uploaded.

    PYTHONPATH=src:. .venv/bin/python -m tests.ingestion.measure_hostile_server

Starts `talentbridge serve` on 127.0.0.1:8765 over a throw-away SQLite file, measures
GET /api/v1/candidates alone, then while one client uploads every file of
tests/ingestion/hostile.py back to back; prints p50/p95, the server's RSS and each refusal.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time

import httpx

from tests.ingestion.hostile import HOSTILE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN = "x" * 40
db = os.path.join(tempfile.mkdtemp(), "hostile.db")
COMMAND = os.path.join(os.path.dirname(sys.executable), "talentbridge")
FILES = {name: make() for name, make in HOSTILE.items()}
env = {
    **os.environ,
    "TALENTBRIDGE_DATABASE_URL": f"sqlite:///{db}",
    "TALENTBRIDGE_ADMIN_TOKEN": ADMIN,
    "TALENTBRIDGE_INPROCESS_WORKER": "false",
    "HF_HUB_OFFLINE": "1",
}
subprocess.run([COMMAND, "migrate"], env=env, check=False, capture_output=True)
server = subprocess.Popen(
    [COMMAND, "serve", "--port", "8765"],
    env=env,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)


def rss():
    with open(f"/proc/{server.pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS"))
    return int(line.split()[1]) // 1024


url = "http://127.0.0.1:8765"
c = httpx.Client(base_url=url, timeout=120)
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
c.post(
    "/api/v1/candidates/bulk",
    json=[
        {
            "external_id": f"E{i}",
            "full_name": "A B",
            "date_of_birth": "1998-01-01",
            "sector": "care",
        }
        for i in range(50)
    ],
    headers=auth,
)


def probe(n=150):
    out = []
    for _ in range(n):
        t = time.perf_counter()
        c.get("/api/v1/candidates?limit=5", headers=auth)
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return out[len(out) // 2], out[int(len(out) * 0.95)]


base_rss = rss()
base = probe()
stop = threading.Event()
results = []


def hostile():
    h = httpx.Client(base_url=url, timeout=120)
    while not stop.is_set():
        for name, data in FILES.items():
            t = time.perf_counter()
            r = h.post(
                "/api/v1/candidates/bulk", files={"file": ("x.xlsx", data, XLSX)}, headers=auth
            )
            results.append((name, r.status_code, round(time.perf_counter() - t, 2)))


th = threading.Thread(target=hostile)
th.start()
time.sleep(0.5)
during = probe()
peak = rss()
stop.set()
th.join()
print(
    "others' GET /api/v1/candidates?limit=5 p50/p95 ms: "
    f"alone {base[0]:.0f}/{base[1]:.0f}, during hostile uploads {during[0]:.0f}/{during[1]:.0f}"
)
print(f"server RSS MB: before {base_rss}, after {len(results)} hostile uploads {peak}, now {rss()}")
worst = {}
for name, status, secs in results:
    worst[name] = (status, max(secs, worst.get(name, (0, 0))[1]))
for name, (status, secs) in worst.items():
    print(f"  {name}: {status}, slowest {secs} s")
server.terminate()
server.wait(20)

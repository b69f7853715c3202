"""schemathesis' command line against a real server: one run per caller, its JSON report read."""

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ADMIN, candidate_body, vacancy_body

# What the issue asks of every answer: no server error; a documented status, content type,
# body and headers; 405 with `Allow` for a method the path does not declare.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance,unsupported_method"
)
# Cases per operation and phase: bounded so the whole fuzz stays within the CI budget.
MAX_EXAMPLES = int(os.environ.get("TALENTBRIDGE_FUZZ_EXAMPLES", "3"))
SEED = int(os.environ.get("TALENTBRIDGE_FUZZ_SEED", "22"))
# The callers, and the paths each is fuzzed on (None: every path). The admin token opens
# only the creation of organisations; the keys open everything else.
CALLERS = {
    "institute": None,
    "employer": None,
    "officer": None,
    "admin": "^/api/v1/organisations$",
}


@dataclass
class FuzzRun:
    caller: str
    exit_code: int
    seconds: float
    operations: int = 0
    cases: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # code and title: how many
    report: dict[str, Any] = field(default_factory=dict)
    output: str = ""

    def summary(self) -> str:
        return (
            f"{self.caller}: {self.operations} operations, {self.cases} cases, "
            f"{sum(self.failures.values())} failures {self.failures} in {self.seconds:.0f} s"
        )


def fuzz_everything(base_url: str, keys: dict[str, str], report_dir: Path) -> list[FuzzRun]:
    """Every operation as every caller, in two passes.

    1. Fuzzing (random cases, MAX_EXAMPLES per operation) over every operation, per caller.
    2. The coverage phase (boundaries, each kind of invalid value, undeclared methods:
       about fifty cases an operation whatever MAX_EXAMPLES says) over each operation once,
       as the first caller it admitted in pass 1: elsewhere it would meet only the 401 or
       403 pass 1 has checked, and twice over the same operation finds the same things.
    """
    labels = operation_labels(base_url)
    first = {
        caller: fuzz(base_url, caller, keys[caller], report_dir, phases="fuzzing", only=only)
        for caller, only in CALLERS.items()
    }
    covered: set[str] = set()
    shares: dict[str, list[str]] = {}
    for caller, only in CALLERS.items():
        shut = set(first[caller].report.get("warnings", {}).get("missing_auth", []))
        taken = shut | covered
        shares[caller] = [name for name in labels if _within(name, only) and name not in taken]
        covered |= set(shares[caller])
    shares["officer"] += [label for label in labels if label not in covered]  # no one's
    return [
        _merged(
            first[caller],
            fuzz(base_url, caller, keys[caller], report_dir, phases="examples,coverage", pick=share)
            if share
            else None,
        )
        for caller, share in shares.items()
    ]


def _within(label: str, only: str | None) -> bool:
    return only is None or re.search(only, label.split(" ", 1)[1]) is not None


def operation_labels(base_url: str) -> list[str]:
    """'METHOD /path' of every operation in the server's /openapi.json (schemathesis' names)."""
    schema = httpx.get(f"{base_url}/openapi.json", timeout=60).json()
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    ]


def _merged(first: FuzzRun, second: FuzzRun | None) -> FuzzRun:
    if second is None:
        return first
    return FuzzRun(
        first.caller,
        first.exit_code or second.exit_code,
        first.seconds + second.seconds,
        operations=first.operations,
        cases=first.cases + second.cases,
        failures={
            name: first.failures.get(name, 0) + second.failures.get(name, 0)
            for name in {**first.failures, **second.failures}
        },
        output=f"{first.output}\n\n{second.output}",
    )


def fuzz(
    base_url: str,
    caller: str,
    token: str,
    report_dir: Path,
    *,
    phases: str,
    only: str | None = None,
    pick: list[str] | None = None,
) -> FuzzRun:
    """schemathesis over `base_url`'s /openapi.json with `token` as the Bearer key."""
    report = report_dir / f"{caller}-{phases.replace(',', '-')}.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/openapi.json",
        f"--checks={CHECKS}",
        f"--phases={phases}",
        f"--max-examples={MAX_EXAMPLES}",
        f"--seed={SEED}",
        "--workers=1",
        "--no-shrink",
        "--continue-on-failure",
        "--generation-database=none",
        "--request-timeout=30",
        f"--header=Authorization: Bearer {token}",
        "--report=json",
        f"--report-json-path={report}",
        "--no-color",
    ]
    if only:
        command.append(f"--include-path-regex={only}")
    command += [f"--include-name={label}" for label in pick or ()]
    started = time.monotonic()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=report_dir
    )
    run = FuzzRun(caller, done.returncode, time.monotonic() - started, output=done.stdout)
    if report.exists():
        run.report = json.loads(report.read_text())
        run.operations = run.report["operations"]["tested"]
        run.cases = run.report["test_cases"]["generated"]
        run.failures = {f"{f['code']} {f['title']}": f["count"] for f in run.report["failures"]}
    return run


def seed(base_url: str) -> dict[str, str]:
    """One organisation of each kind and a record of every sort (candidate, vacancy,
    placement, allocation plan, bulk job), so the fuzzer's small ids reach real records.
    The callers' keys, by name."""
    keys = {"admin": ADMIN}
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for kind, place in (
            ("institute", {"state": "Uttar Pradesh"}),
            ("employer", {"prefecture": "Yamanashi"}),
            ("officer", {}),
        ):
            made = client.post(
                "/api/v1/organisations",
                json={"kind": kind, "name": f"{kind} under fuzz", **place},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert made.status_code == 201, made.text
            keys[kind] = made.json()["api_key"]

        def call(method: str, path: str, caller: str, body: Any) -> dict[str, Any]:
            answer = client.request(
                method, path, json=body, headers={"Authorization": f"Bearer {keys[caller]}"}
            )
            assert answer.is_success, answer.text
            made: dict[str, Any] = answer.json()
            return made

        person = call("POST", "/api/v1/candidates", "institute", candidate_body())
        vacancy = call("POST", "/api/v1/vacancies", "employer", vacancy_body())
        pair = {"vacancy_id": vacancy["id"], "candidate_id": person["id"]}
        call("POST", "/api/v1/placements", "employer", pair)
        call("POST", "/api/v1/allocations", "officer", {})
        call("POST", "/api/v1/candidates/bulk", "institute", [candidate_body()])
    return keys

"""schemathesis' command line against a real server: one run per caller, a JSON report back."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# What the issue asks of every answer: no server error, a documented status, content type,
# body and headers, and 405 with `Allow` for a method the path does not declare.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance,unsupported_method"
)
# Cases per operation and phase: bounded so the whole fuzz stays within the CI budget.
MAX_EXAMPLES = int(os.environ.get("TALENTBRIDGE_FUZZ_EXAMPLES", "8"))
SEED = int(os.environ.get("TALENTBRIDGE_FUZZ_SEED", "22"))


@dataclass
class FuzzRun:
    caller: str
    exit_code: int
    seconds: float
    operations: int = 0
    cases: int = 0
    failures: list[str] = field(default_factory=list)
    output: str = ""


def fuzz(
    base_url: str, caller: str, token: str, report_dir: Path, *, only: str | None = None
) -> FuzzRun:
    """Run schemathesis over `base_url`'s /openapi.json with `token` as the Bearer key."""
    report = report_dir / f"{caller}.json"
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base_url}/openapi.json",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--no-shrink",
        "--continue-on-failure",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    if only:
        command += ["--include-path-regex", only]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    run = FuzzRun(caller, done.returncode, time.monotonic() - started, output=done.stdout[-20000:])
    if report.exists():
        _read_report(run, json.loads(report.read_text()))
    return run


def _read_report(run: FuzzRun, report: dict[str, Any]) -> None:
    run.raw = report  # type: ignore[attr-defined]

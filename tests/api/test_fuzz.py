"""Every operation of /openapi.json holds under schemathesis, for every caller, on both
databases, against a real server on 127.0.0.1 (uvicorn in a thread; the fuzzer in a
process of its own): no server error, and every answer's status, content type, body and
headers as documented, 405 with `Allow` for a method a path does not declare.

The number of cases per operation is bounded (TALENTBRIDGE_FUZZ_EXAMPLES, 3 by default);
set it higher for a longer hunt: TALENTBRIDGE_FUZZ_EXAMPLES=50 pytest tests/api/test_fuzz.py.
"""

from talentbridge import migrate
from tests.api.fuzz import fuzz_everything, seed
from tests.conftest import make_database
from tests.serving.live import live_server


def test_every_operation_holds_for_every_caller(tmp_path, tools):
    holds_for_every_caller("sqlite", tmp_path, tools)


def holds_for_every_caller(backend, tmp_path, tools):
    """The run and its verdict on one database (test_fuzz_postgresql.py: the other, in a
    module of its own so that the parallel run gives each database's fuzzing its own
    process)."""
    db = make_database(backend, tmp_path)
    try:
        migrate.upgrade(db.url)
        with live_server(db.url, tools, inprocess_worker=False) as server:
            runs = fuzz_everything(server.url, seed(server.url), tmp_path)
    finally:
        db.drop()
    for run in runs:
        print(f"{backend} {run.summary()}")
    assert all(run.operations for run in runs)
    failed = [run for run in runs if run.exit_code != 0 or run.failures]
    assert not failed, "\n\n".join(f"{run.summary()}\n{run.output[-15000:]}" for run in failed)

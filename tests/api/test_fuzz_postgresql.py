"""The fuzzer's run of test_fuzz.py on PostgreSQL."""

from tests.api.test_fuzz import holds_for_every_caller


def test_every_operation_holds_for_every_caller(tmp_path, tools):
    holds_for_every_caller("postgresql", tmp_path, tools)

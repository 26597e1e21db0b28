"""Puts the cost pack on sys.path (as the CLI does: it runs the pack with its own directory on the
path) and this folder too, for the shared builders in cost_testkit.py."""

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACK = HERE.parents[2] / "policies" / "cost"
for path in (str(PACK), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)


@pytest.fixture(autouse=True)
def _no_stack_file_or_memory(monkeypatch):
    """Tests see the in-code defaults unless they choose a stack, and no estimate left by another test."""
    from cost_rules import budget

    monkeypatch.delenv("PULUMI_STACK", raising=False)
    budget.forget()
    yield
    budget.forget()


@pytest.fixture
def stack():
    from cost_testkit import StackBuilder

    return StackBuilder()

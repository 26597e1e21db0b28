"""Shared fixtures: the fake AWS harness (preview.harness) and the stack settings components take."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from config import StackSettings, parse
from preview.harness import mocked_pulumi

PROJECT = "blueprints"

# HYPOTHESIS_PROFILE=ci (set by .ci/run and the tests workflow): every run draws the same examples
# (derandomize: seeded from each test), so whether a change lands does not depend on a random draw.
# A developer's run draws new ones each time, which is how the property tests keep finding cases
# (each kept as an @example once found).
hypothesis_settings.register_profile("ci", derandomize=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def pulumi_env():
    """A fresh Pulumi runtime against the fake AWS (new event loop, preview=False, clean config).

    ``pulumi_env.run(program)`` runs a callable that registers resources and returns a RunResult
    (``resources``, ``of_type(token)``, ``named(name)``, ``children_of(record)``, ``value``).
    """
    with mocked_pulumi(PROJECT, "test", config={"aws:region": "us-east-1"}) as env:
        yield env


def make_settings(**values) -> StackSettings:
    """Stack settings from schema defaults plus ``values`` (camelCase keys without the prefix)."""
    from preview.harness import engine_config

    return parse(engine_config(PROJECT, values), stack="test").settings


@pytest.fixture
def settings() -> StackSettings:
    return make_settings()


@pytest.fixture(scope="session")
def shipped_stack():
    """``shipped_stack("dev")``: the whole program (``__main__.py``) run once per session against the
    fake AWS with a shipped stack file, exactly as the offline preview runs it. Returns a RunResult
    (``of_type``, ``named``, ``outputs``...)."""
    from pathlib import Path

    from preview.engine import run_program
    from preview.harness import RunResult

    root = Path(__file__).resolve().parent.parent
    runs: dict[str, RunResult] = {}

    def run(stack: str) -> RunResult:
        if stack not in runs:
            program = run_program(root, stack)
            runs[stack] = RunResult(
                resources=program.resources,
                outputs=program.outputs,
                value=None,
                warnings=program.warnings,
                logs=program.logs,
            )
        return runs[stack]

    return run

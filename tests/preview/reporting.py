"""Runs of the fixture project shared by the report, compare and SARIF tests (each run once)."""

import functools
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
PROGRAM = FIXTURES / "project_basic"
# Relative, as a user types them: the text report shows the packs' paths as given.
PACKS = ("--policy-pack", "tests/preview/fixtures/pack_rules", "--policy-pack", "tests/preview/fixtures/pack_cost")


def preview(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "preview", "--program", str(PROGRAM), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@functools.cache
def report(stack: str) -> dict:
    """The JSON report of a fixture stack with both fixture packs."""
    done = preview("--stack", stack, *PACKS, "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)


def report_file(stack: str, directory: Path) -> Path:
    path = directory / f"{stack}.json"
    path.write_text(json.dumps(report(stack)))
    return path

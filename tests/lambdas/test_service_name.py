"""Every handler's logger takes its service name from POWERTOOLS_SERVICE_NAME, which the function
component sets to the function's name; a name written in the code would override it (Powertools
reads the variable only when ``service`` is not passed:
https://docs.powertools.aws.dev/lambda/python/latest/core/logger/#standard-structured-keys)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted(p.parent.name for p in (ROOT / "lambdas").glob("*/handler.py"))
# Imported in a fresh interpreter: the loggers are module-level, made at import.
_PROBE = """
import importlib, json, sys
print(json.dumps({f: importlib.import_module(f"lambdas.{f}.handler").logger.service for f in sys.argv[1:]}))
"""


@pytest.fixture(scope="module")
def services() -> dict[str, str]:
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": "name-from-the-component", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *HANDLERS], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("function", HANDLERS)
def test_handler_logger_uses_the_service_name_the_component_sets(function, services):
    assert services[function] == "name-from-the-component"

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
# Imported in a fresh interpreter per function: the loggers are module-level, made at import.
_PROBE = """
import importlib, json, sys
module = importlib.import_module(f"lambdas.{sys.argv[1]}.handler")
print(json.dumps(module.logger.service))
"""


@pytest.mark.parametrize("function", HANDLERS)
def test_handler_logger_uses_the_service_name_the_component_sets(function):
    env = {**os.environ, "POWERTOOLS_SERVICE_NAME": f"stack-{function}", "AWS_DEFAULT_REGION": "us-east-1"}
    result = subprocess.run([sys.executable, "-c", _PROBE, function], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout.splitlines()[-1]) == f"stack-{function}"

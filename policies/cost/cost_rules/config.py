"""Policy configuration: in-code defaults, the stack's shipped file, then what the engine sends.

The engine does not apply schema defaults when a policy runs outside it (unit tests, the
in-process servicer), and applies them inside it; to keep both the same, the schemas here carry no
``default`` keyword (each description states the default) and every policy merges, key by key:

1. the defaults in this package;
2. ``policies/cost/config/<stack>.json`` for the running stack (``PULUMI_STACK``, which the engine
   sets for analyzers), when that file exists. It has the ``--policy-pack-config`` format;
3. the config the engine sends (``--policy-pack-config`` or Pulumi Cloud), which wins.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pulumi_policy import PolicyConfigSchema

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
_RESERVED = "enforcementLevel"


@dataclass(frozen=True)
class Option:
    default: Any
    description: str
    schema: Mapping[str, Any]


def option(default: Any, description: str, **schema: Any) -> Option:
    if "type" not in schema:
        schema["type"] = _json_type(default)
    if schema["type"] == "array" and "items" not in schema:
        schema["items"] = {"type": "string"}
    return Option(default, description, schema)


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    return "object"


def schema(options: Mapping[str, Option]) -> PolicyConfigSchema:
    properties = {}
    for key, opt in options.items():
        shown = json.dumps(opt.default) if not isinstance(opt.default, str) else opt.default
        properties[key] = {**opt.schema, "description": f"{opt.description} Default: {shown}."}
    return PolicyConfigSchema(properties=properties)


def defaults(options: Mapping[str, Option]) -> dict[str, Any]:
    return {key: _copy(opt.default) for key, opt in options.items()}


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def stack_name() -> str | None:
    return os.environ.get("PULUMI_STACK") or None


@cache
def _stack_file(stack: str, directory: Path) -> dict[str, Any]:
    path = directory / f"{stack}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


def settings(
    policy_name: str,
    options: Mapping[str, Option],
    given: Mapping[str, Any] | None,
    *,
    stack: str | None = None,
    directory: Path = CONFIG_DIR,
) -> dict[str, Any]:
    """The effective config of one policy (see the module docstring for the order)."""
    merged = defaults(options)
    stack = stack if stack is not None else stack_name()
    if stack:
        from_file = _stack_file(stack, directory).get(policy_name)
        if isinstance(from_file, Mapping):
            merged.update({k: _copy(v) for k, v in from_file.items() if k != _RESERVED})
    merged.update({k: v for k, v in (given or {}).items() if k != _RESERVED})
    return merged

"""Reads stack configuration: the schema in ``Pulumi.yaml`` -> typed values, every problem collected.

Every key the program reads is declared in ``Pulumi.yaml`` (type, description, default). The reader
takes the values the engine passes (all strings; arrays as JSON), checks each against its declared
type, and records a :class:`Problem` instead of raising; ``config.parse`` raises them all as one
:class:`ConfigError` naming the key, the value given and what is expected. ``ConfigError`` is a
``pulumi.RunError``, so the Pulumi CLI (and the offline preview) print its message without a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import yaml

from components.rules.formats import cidr_problem, log_retention_problem

PROJECT_FILE = Path(__file__).resolve().parent.parent / "Pulumi.yaml"

# Commercial Regions this project may deploy to. A Region outside the list is almost always a typo.
KNOWN_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1",
        "eu-south-1", "eu-south-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-east-1", "sa-east-1", "me-south-1", "me-central-1", "af-south-1", "il-central-1",
    }
)
ENVIRONMENTS = ("dev", "prod")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")


class ConfigError(pulumi.RunError):
    """Invalid stack configuration; the message lists every problem found."""

    def __init__(self, stack: str, problems: list[Problem]):
        self.problems = problems
        lines = [f"Stack '{stack}' has {len(problems)} configuration problem(s):"]
        lines += [f"  - {p}" for p in problems]
        lines.append("Fix them with `pulumi config set <key> <value>` or in Pulumi.<stack>.yaml.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    key: str
    value: Any
    expected: str

    def __str__(self) -> str:
        return f"{self.key}: got {json.dumps(self.value)}, expected {self.expected}"


@cache
def load_schema(project_file: Path = PROJECT_FILE) -> tuple[str, dict[str, dict]]:
    """Returns the project name and its declared config keys (without the project prefix)."""
    project = yaml.safe_load(project_file.read_text())
    declared = {
        key: spec
        for key, spec in (project.get("config") or {}).items()
        if ":" not in key and isinstance(spec, dict) and "type" in spec
    }
    return project["name"], declared


class ConfigReader:
    """Typed access to one stack's config values; records problems instead of raising."""

    def __init__(self, project: str, schema: Mapping[str, dict], values: Mapping[str, Any]):
        self.project = project
        self.schema = schema
        self.problems: list[Problem] = []
        prefix = f"{project}:"
        self._values = {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}
        for key in sorted(set(self._values) - set(schema)):
            self.problem(key, self._values[key], "a declared key: this one is not in Pulumi.yaml (a typo?)")

    def problem(self, key: str, value: Any, expected: str) -> None:
        self.problems.append(Problem(f"{self.project}:{key}", value, expected))

    def check(self, key: str, value: Any, expected: str | None) -> None:
        """Records a problem when a rule returned what it expected (None: the value is fine)."""
        if expected:
            self.problem(key, value, expected)

    def reported(self, key: str) -> bool:
        """Whether ``key`` already has a problem (one problem per key is enough)."""
        return any(p.key == f"{self.project}:{key}" for p in self.problems)

    def _typed(self, key: str) -> Any:
        """The value of ``key`` converted to its declared type, or None (problem recorded)."""
        if key not in self.schema:
            raise KeyError(f"config key {key!r} is read by the program but not declared in Pulumi.yaml")
        spec = self.schema[key]
        if key not in self._values:
            return spec.get("default")
        raw = self._values[key]
        kind = spec["type"]
        try:
            return _convert(raw, kind, spec.get("items", {}).get("type"))
        except ValueError as err:
            self.problem(key, raw, f"a value of type {kind} ({err})")
            return None

    def string(self, key: str, *, choices: tuple[str, ...] | None = None,
               pattern: re.Pattern[str] | None = None, describe: str = "") -> str:
        value = self._typed(key)
        if value is None:
            return ""
        if choices is not None and value not in choices:
            self.problem(key, value, "one of " + ", ".join(choices))
        elif pattern is not None and value and not pattern.match(value):
            self.problem(key, value, describe or f"a string matching {pattern.pattern}")
        return value

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._typed(key)
        if value is None:
            return 0
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.problem(key, value, f"an integer {bounds}")
        return value

    def number(self, key: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
        """A decimal number; declared as a string in Pulumi.yaml (the schema has no float type)."""
        raw = self._typed(key)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            self.problem(key, raw, "a number such as 0.5")
            return 0.0
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(key, raw, f"a number between {minimum} and {maximum}")
        return value

    def boolean(self, key: str) -> bool:
        return bool(self._typed(key))

    def strings(self, key: str, *, item: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        """An array of strings; ``item`` returns what is expected when an element is invalid."""
        value = self._typed(key) or []
        for element in value:
            expected = item(element) if item else None
            if expected:
                self.problem(key, element, expected)
        return tuple(value)

    def region(self, key: str) -> str:
        value = self.string(key)
        if value not in KNOWN_REGIONS:
            self.problem(key, value, "an AWS Region code such as us-east-1")
        return value

    def account_id(self, key: str) -> str | None:
        value = self.string(key, pattern=ACCOUNT_ID, describe="a 12-digit AWS account id, or empty")
        return value or None

    def cidrs(self, key: str) -> tuple[str, ...]:
        return self.strings(key, item=cidr_problem)

    def log_retention(self, key: str) -> int:
        days = self.integer(key, minimum=1)
        if days and not self.reported(key):
            self.check(key, days, log_retention_problem(days))
        return days


def _convert(raw: Any, kind: str, item_kind: str | None) -> Any:
    """Converts an engine config value (a string, or already typed in tests) to ``kind``."""
    if kind == "string":
        if not isinstance(raw, str):
            raise ValueError("not a string")
        return raw
    if kind == "integer":
        if isinstance(raw, bool):
            raise ValueError("not an integer")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
            return int(raw)
        raise ValueError("not an integer")
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError("not true or false")
    if kind == "array":
        value = raw
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as err:
                raise ValueError(f"not a JSON array: {err.msg}") from None
        if not isinstance(value, list):
            raise ValueError("not a list")
        if item_kind:
            return [_convert(v, item_kind, None) for v in value]
        return value
    raise ValueError(f"unsupported schema type {kind}")


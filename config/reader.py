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
from config.value_checks import check_value, region_problems, shorten

PROJECT_FILE = Path(__file__).resolve().parent.parent / "Pulumi.yaml"

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
        # Shortened and escaped: a 10^8-item list or a control character is never echoed whole.
        # A cross-key rule's expectation may quote its partner's value: bounded the same way.
        expected = self.expected if len(self.expected) <= 300 else shorten(self.expected, 300)
        return f"{self.key}: got {shorten(self.value)}, expected {expected}"


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
        self._values = {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}
        for key in sorted(set(self._values) - set(schema)):
            self.problem(key, self._values[key], "a declared key: this one is not in Pulumi.yaml (a typo?)")
        # The AWS provider's own Region key is read by default providers; a typo such as us-east-9
        # would only fail at the first API call of `pulumi up`.
        if "aws:region" in values:
            for found in region_problems("aws:region", values["aws:region"]):
                self.problems.append(Problem(found.key, values["aws:region"], found.expected))

    def problem(self, key: str, value: Any, expected: str) -> None:
        self.problems.append(Problem(f"{self.project}:{key}", value, expected))

    def _adopt(self, key: str, value: Any, found: list) -> bool:
        """Records the problems a value check returned; whether there were any."""
        for problem in found:
            self.problem(key, value, problem.expected)
        return bool(found)

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

    def string(
        self,
        key: str,
        *,
        choices: tuple[str, ...] | None = None,
        pattern: re.Pattern[str] | None = None,
        describe: str = "",
    ) -> str:
        value = self._typed(key)
        if value is None:
            return ""
        # A key declared with a non-empty default names something (a bus, a stage, a version):
        # set to "" it would reach a component, or AWS, as an empty name.
        default = self.schema[key].get("default")
        if default and not value.strip():
            self.problem(key, value, f"a non-empty value such as the default {default}")
            return value
        if choices is not None and value not in choices:
            self.problem(key, value, "one of " + ", ".join(choices))
        elif pattern is not None and value and not pattern.match(value):
            self.problem(key, value, describe or f"a string matching {pattern.pattern}")
        return value

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._typed(key)
        if value is None:
            return 0
        # Bounded by the key's own limits, and always by AWS's 32-bit integers (1e30 is a typo).
        self._adopt(key, value, check_value(key, "integer", value, minimum=minimum, maximum=maximum))
        return value

    def number(self, key: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
        """A decimal number; declared as a string in Pulumi.yaml (the schema has no float type)."""
        raw = self._typed(key)
        # NaN passes every range comparison and infinities none that matter: refused here, once.
        if raw is None or self._adopt(
            key, raw, check_value(key, "string", raw, numeric=True, minimum=minimum, maximum=maximum)
        ):
            return 0.0
        return float(raw)

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
        if not self.reported(key):
            self._adopt(key, value, region_problems(key, value))
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

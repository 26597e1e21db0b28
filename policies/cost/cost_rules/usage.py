"""Declared usage: what the bill depends on that no resource input says (requests, GB, hours played).

Like an Infracost usage file (https://www.infracost.io/docs/features/usage_based_resources/), a
YAML or JSON document with defaults per resource type and values per resource (by logical name or
URN)::

    version: 0.1
    resource_type_default_usage:
      aws:lambda/function:Function:
        monthly_requests: 100000
        request_duration_ms: 120
    resource_usage:
      lease-api:
        monthly_requests: 110000

Nothing is invented: a usage-based charge with no declared value is priced at 0 and listed as
"depends on usage". The pack gets the document from the policy config key ``usage`` of
``monthly-cost-estimate``: a path (absolute, or relative to the pack directory) or the content
itself as an object. ``--policy-pack-config`` sends that config to the pack (see the README).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PACK_DIR = Path(__file__).resolve().parent.parent
TYPE_DEFAULTS = "resource_type_default_usage"
PER_RESOURCE = "resource_usage"
_TOP_LEVEL = {"version", TYPE_DEFAULTS, PER_RESOURCE}

# Usage any resource may declare: data transfer is billed to the account, not to one resource type,
# so it is declared on the resource that sends it. Prices: AWS "Data Transfer" on the EC2 on-demand
# pricing page (https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer).
DATA_TRANSFER_KEYS = {
    "monthly_internet_egress_gb": "GB a month sent from this resource to the internet",
    "monthly_inter_region_gb": "GB a month sent from this resource to another AWS Region",
    "monthly_cross_az_gb": "GB a month this resource exchanges with another Availability Zone",
}


class UsageError(ValueError):
    """A usage document that cannot be read: the message lists every problem."""


@dataclass
class DeclaredUsage:
    source: str | None = None  # a path, "policy config", or None when nothing is declared
    by_type: dict[str, dict[str, float]] = field(default_factory=dict)
    by_resource: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def declared(self) -> bool:
        return self.source is not None

    def value(self, resource_type: str, names: tuple[str, ...], key: str) -> float | None:
        for name in names:
            own = self.by_resource.get(name)
            if own is not None and key in own:
                return own[key]
        return self.by_type.get(resource_type, {}).get(key)


def load(spec: Any, *, base: Path = PACK_DIR) -> DeclaredUsage:
    """The declared usage from the policy config value ``spec``: None, a path or the document."""
    if spec is None or spec == "" or spec == {}:
        return DeclaredUsage()
    if isinstance(spec, str):
        path = Path(spec).expanduser()
        path = path if path.is_absolute() else (base / path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise UsageError(f"usage file {path}: cannot be read ({err.strerror or err})") from None
        try:
            document = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else json.loads(text)
        except (yaml.YAMLError, json.JSONDecodeError) as err:
            raise UsageError(f"usage file {path}: not valid {path.suffix.lstrip('.') or 'JSON'}: {err}") from None
        return parse(document, source=spec)
    if isinstance(spec, Mapping):
        return parse(spec, source="policy config")
    raise UsageError(f"usage: expected a path or an object, got {type(spec).__name__} {spec!r}")


def parse(document: Any, *, source: str) -> DeclaredUsage:
    if document is None:
        document = {}
    if not isinstance(document, Mapping):
        raise UsageError(
            f"usage ({source}): expected a mapping with {TYPE_DEFAULTS} and {PER_RESOURCE}, "
            f"got {type(document).__name__}"
        )
    problems = [
        f"unknown top-level key {key!r} (expected {', '.join(sorted(_TOP_LEVEL))})"
        for key in document
        if key not in _TOP_LEVEL
    ]
    by_type = _section(document, TYPE_DEFAULTS, problems)
    by_resource = _section(document, PER_RESOURCE, problems)
    if problems:
        raise UsageError(f"usage ({source}): " + "; ".join(problems))
    return DeclaredUsage(source, by_type, by_resource)


def _section(document: Mapping[str, Any], name: str, problems: list[str]) -> dict[str, dict[str, float]]:
    section = document.get(name) or {}
    if not isinstance(section, Mapping):
        problems.append(f"{name}: expected a mapping, got {type(section).__name__}")
        return {}
    result: dict[str, dict[str, float]] = {}
    for owner, values in section.items():
        if not isinstance(values, Mapping):
            problems.append(f"{name}.{owner}: expected a mapping of usage keys to numbers, got {values!r}")
            continue
        result[str(owner)] = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                problems.append(f"{name}.{owner}.{key}: expected a number >= 0, got {value!r}")
                continue
            result[str(owner)][str(key)] = float(value)
    return result


def unknown_keys(
    usage: DeclaredUsage, known: Mapping[str, Mapping[str, str]], type_of_name: Mapping[str, str]
) -> list[str]:
    """Declared keys no pricer reads (a typo prices nothing, silently): one message per key.
    ``known``: usage keys by resource type; ``type_of_name``: the stack's resource types by name and URN."""
    problems: list[str] = []

    def check(where: str, resource_type: str, values: Mapping[str, float]) -> None:
        allowed = {**known.get(resource_type, {}), **DATA_TRANSFER_KEYS}
        for key in values:
            if key not in allowed:
                problems.append(
                    f"{where}.{key}: not a usage key of {resource_type} (known: {', '.join(sorted(allowed))})"
                )

    for resource_type, values in usage.by_type.items():
        check(f"{TYPE_DEFAULTS}.{resource_type}", resource_type, values)
    for name, values in usage.by_resource.items():
        resource_type = type_of_name.get(name)
        if resource_type is not None:
            check(f"{PER_RESOURCE}.{name}", resource_type, values)
    return problems

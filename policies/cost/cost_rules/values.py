"""Reading resource properties without tripping over unknowns.

The policy SDK wraps properties in a proxy that raises ``UnknownValueError`` on the first value not
known at preview (an ARN of a resource not created yet, say). That exception ends the whole policy
with a generic advisory message, which would drop the cost estimate for the entire stack because of
one unknown ARN. So the rules first copy the properties into plain Python with :data:`UNKNOWN` in
place of each unknown value, and decide for themselves what an unknown means (a price range, a
skipped check).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

_SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
                        UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE})


class _Unknown:
    """A value the engine cannot know yet (preview). Truthy on purpose: code that forgets to check
    for it must not mistake it for "not set"."""

    _instance: _Unknown | None = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return True


UNKNOWN: Any = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def plain(value: Any) -> Any:
    """A plain copy of ``value`` (dicts, lists, scalars) with every unknown replaced by UNKNOWN.

    Accepts the SDK's proxies and ordinary dicts and lists (as tests build them)."""
    if isinstance(value, str):
        return UNKNOWN if value in _SENTINELS else value
    if isinstance(value, Mapping):
        # The SDK proxy hands out its raw target under this key without checking for unknowns.
        target = value["__target"] if _is_proxy(value) else value
        return {key: plain(item) for key, item in target.items()}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        target = value["__target"] if _is_proxy(value) else value
        return [plain(item) for item in target]
    return value


def _is_proxy(value: Any) -> bool:
    return type(value).__name__ in ("_DictProxy", "_ListProxy")


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]...``; ``default`` when a step is missing, UNKNOWN when a step is unknown.

    A one-element list is stepped into for a string key, since Terraform-bridged nested blocks arrive
    as objects in pulumi-aws 7 but as lists of one object in older state."""
    current = props
    for step in path:
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(step, str) and isinstance(current, list) and len(current) == 1:
            current = current[0]
        if isinstance(current, Mapping) and isinstance(step, str):
            if step not in current:
                return default
            current = current[step]
        elif isinstance(current, list) and isinstance(step, int):
            if not -len(current) <= step < len(current):
                return default
            current = current[step]
        else:
            return default
        if current is None:
            return default
    return current


def number(value: Any) -> float | Any | None:
    """A number from an int, float or numeric string; None when absent or not numeric; UNKNOWN stays."""
    if value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def json_value(value: Any) -> Any:
    """Provider properties keep nested objects as JSON strings; decode those, pass the rest through."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return plain(json.loads(value))
        except json.JSONDecodeError:
            return value
    return value


def explicitly_set(props: Mapping[str, Any], key: str) -> bool:
    """Whether the program set ``key`` itself. The bridged provider's Check step fills schema
    defaults in and lists them under ``__defaults``; those do not count as set."""
    if key not in props or props[key] is None:
        return False
    defaults = props.get("__defaults")
    return not (isinstance(defaults, list) and key in defaults)


_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d):")


def region_of_arn(value: Any) -> str | None:
    if isinstance(value, str):
        match = _ARN_REGION.match(value)
        if match:
            return match.group(1)
    return None

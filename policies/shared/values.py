"""Resource properties as plain Python, with one meaning for values not known yet. Shared by every
policy pack: each pack links this file into its own package (``policies/<pack>/<pack>_rules/values.py
-> ../../shared/values.py``), because the CLI loads a pack from its own directory only.

What an unknown means
---------------------
During ``pulumi preview`` an input computed from a resource that does not exist yet (an ARN, an id)
is unknown; ``pulumi up`` resolves it before the packs see it. The SDK marks such values with
sentinel strings and wraps properties in a proxy that raises ``UnknownValueError`` on the first one
read (pulumi/pulumi-policy, sdk/python/lib/pulumi_policy/proxy.py). :func:`plain` copies properties
into dicts and lists with an :class:`Unknown` in place of each unknown value, so a rule can read
everything else and decide for itself what the unknown one means. An :class:`Unknown`:

* is equal only to itself: ``value is UNKNOWN``, ``value in (None, UNKNOWN)`` and
  ``value != "gp3"`` treat it as "not that known value";
* refuses every use that needs its value (truth, ordering, arithmetic, iteration, length, indexing,
  attribute access) by raising :class:`Undecided`, which is the SDK's ``UnknownValueError``. A rule
  that forgets to check therefore never passes silently and never crashes: the SDK reports it as
  the advisory "can't run policy ... during preview", as it would for its own proxy.

Test with :func:`is_unknown`. Rules that go on checking the rest yield or collect an
:class:`Undecided` themselves (the security pack reports them all in one advisory; the cost pack
turns them into price ranges).
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
    UnknownValueError,
)

SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


class Undecided(UnknownValueError):
    """A rule cannot decide because ``path`` is not known yet.

    ``why`` says what would decide it; ``pending`` is False when the value will never come from the
    resource (the rule needs config instead); ``resource`` is the resource at fault, for stack rules."""

    def __init__(self, path: str, why: str = "", resource: Any = None, pending: bool = True):
        super().__init__(UNKNOWN_STRING_VALUE, [path.lstrip(".")])
        self.path = path
        self.why = why
        self.resource = resource
        self.pending = pending
        if why:
            self.message = f"{path} is not known ({why})"


class Unknown:
    """A value not known yet (see the module docstring). ``path`` says where it was read."""

    __slots__ = ("path",)

    def __init__(self, path: str = ""):
        self.path = path

    def _undecided(self, *_args: Any, **_kwargs: Any):
        raise Undecided(self.path or "(a value)")

    __bool__ = __lt__ = __le__ = __gt__ = __ge__ = _undecided
    __iter__ = __len__ = __contains__ = __getitem__ = __int__ = __float__ = __index__ = _undecided
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _undecided
    # __eq__ / __ne__ / __hash__ stay object's: an unknown equals only itself.

    def __getattr__(self, name: str):  # .get, .startswith, .lower... on an unknown: cannot decide
        if name.startswith("__"):
            raise AttributeError(name)
        raise Undecided(self.path or "(a value)")

    def __repr__(self) -> str:
        return f"<unknown {self.path}>" if self.path else "UNKNOWN"

    __str__ = __repr__


# The unknown of :func:`plain` when the caller does not track paths (one object: ``is UNKNOWN`` works).
UNKNOWN: Any = Unknown()


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _raw(value: Any) -> Any:
    """The SDK proxy hands out its raw target under ``"__target"`` without checking for unknowns
    (proxy.py ``_DictProxy.__getitem__``); reading it avoids an exception per unknown value."""
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        return value["__target"]
    return value


def plain(value: Any, path: str | None = None) -> Any:
    """A plain copy of ``value`` (the SDK's proxies, or dicts and lists as tests build them) with every
    unknown replaced: by an :class:`Unknown` naming its path when ``path`` is given ("" for the
    root), else by :data:`UNKNOWN`."""
    if isinstance(value, str):
        if value in SENTINELS:
            return UNKNOWN if path is None else Unknown(path)
        return value
    if isinstance(value, Mapping):
        target = _raw(value)
        if path is None:
            return {key: plain(item) for key, item in target.items()}
        return {key: plain(item, _join(path, key)) for key, item in target.items()}
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        target = _raw(value)
        if path is None:
            return [plain(item) for item in target]
        return [plain(item, _join(path, index)) for index, item in enumerate(target)]
    return value


def first_unknown(value: Any) -> Unknown | None:
    """The first unknown inside a plain value (dicts and lists), or None when it is all known."""
    if is_unknown(value):
        return value
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, list) else ()
    for item in items:
        found = first_unknown(item)
        if found is not None:
            return found
    return None


def get(props: Any, *path: str | int, default: Any = None) -> Any:
    """``props[path[0]][path[1]]...``; ``default`` when a step is missing (or None), the unknown when a
    step is unknown.

    A one-element list is stepped into for a string key, since Terraform-bridged nested blocks arrive
    as objects in pulumi-aws 7 but as lists of one object in older state."""
    current = props
    for step in path:
        if is_unknown(current):
            return current
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


def as_list(value: Any) -> list:
    """A property that may be one value or a list, as a list (an unknown stays one unknown item)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def truthy(value: Any) -> bool:
    """Booleans that some inputs carry as strings ("true"/"false"); an unknown raises Undecided."""
    if is_unknown(value):
        raise Undecided(value.path)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def number(value: Any) -> float | Any | None:
    """A number from an int, float or numeric string; None when absent or not numeric; an unknown stays."""
    if is_unknown(value):
        return value
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

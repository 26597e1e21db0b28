"""Project (``Pulumi.yaml``) and stack (``Pulumi.<stack>.yaml``) config, validated as the CLI does.

Rules and messages follow pulumi/pulumi@1b5949891b3c (2026-08-21) ``sdk/go/common/workspace/project.go``:
- ``RewriteShorthandConfigValues`` (line 486): ``key: value`` is a ``default`` for a key of the
  project's namespace and a ``value`` for a key of another namespace.
- ``configKeyIsNamespacedByProject`` (833): a key without ``:`` or prefixed ``<project>:`` is the project's.
- ``Project.Validate`` (837-888): ``default`` and ``value`` together are refused (845); a project key
  typed ``array`` needs ``items`` (853); a typed project key's ``default`` must pass
  ``ValidateConfigValue`` (861); a key of another namespace may not declare ``type`` (869) nor
  ``default`` (876) and must give ``value`` (883).
- ``ValidateConfigValue`` (771): ``string`` takes strings only; ``integer`` takes ints, whole floats and
  strings that parse as an int; ``boolean`` takes booleans and the exact strings ``true``/``false``;
  ``object`` takes mappings; ``array`` takes lists whose items pass ``items`` (none: refused).
Stack values follow ``pkg/workspace/config.go`` of the same commit: ``mergeConfig`` (255; a project
key with neither stack value, default nor value is missing, 319, and every missing key is named in
one message, ``missingStackConfigurationKeysError`` 53) and ``validateStackConfigValue`` (119; the
secret check first, 128, then the type, 145). A scalar stack value is the string ``config.Value``
holds; an object or list is JSON. The CLI stops at the first wrong key; the preview lists every
problem with the same words.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, Optional

__all__ = ["SECRET_PLACEHOLDER", "ConfigKey", "engine_string", "parse_schema", "stack_config"]

SECRET_PLACEHOLDER = "fake-secret-value-offline-preview"
_TYPES = ("string", "integer", "boolean", "array", "object")


@dataclasses.dataclass(frozen=True)
class ConfigKey:
    key: str  # full key, "<namespace>:<name>"
    declared: str  # the key as written in Pulumi.yaml (the CLI's messages name it so)
    type: Optional[str]
    items: Optional[dict]  # {"type": ..., "items": {...}} for arrays
    default: Any
    has_default: bool  # a default (project key) or a value (other namespace)
    secret: bool


def _is_project_key(project: str, key: str) -> bool:
    # project.go configKeyIsNamespacedByProject
    return ":" not in key or key.startswith(project + ":")


def _full_type_name(typ: str, items: Optional[dict]) -> str:
    # project.go InferFullTypeName
    if isinstance(items, dict):
        return f"array<{_full_type_name(str(items.get('type')), items.get('items'))}>"
    return typ


def valid_config_value(typ: Optional[str], items: Optional[dict], value: Any) -> bool:
    """project.go ``ValidateConfigValue``."""
    if typ == "string":
        return isinstance(value, str)
    if typ == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int):
            return True
        if isinstance(value, float):
            return math.isfinite(value) and value == math.trunc(value)
        if isinstance(value, str):
            try:
                int(value, 10)  # strconv.Atoi: optional sign and decimal digits
            except ValueError:
                return False
            return value.strip() == value and "_" not in value
        return False
    if typ == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if typ == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or not isinstance(items, dict):
        return False
    return all(valid_config_value(items.get("type"), items.get("items"), item) for item in value)


def parse_schema(project: str, config: Any, file_name: str) -> dict[str, ConfigKey]:
    """The ``config:`` block of Pulumi.yaml as ``ConfigKey`` by full key; raises ``ConfigError``
    with the CLI's message (the first problem, as ``Project.Validate`` returns the first)."""
    from .engine import ConfigError

    if config is None:
        return {}
    if not isinstance(config, dict):
        raise ConfigError(f"{file_name}: 'config' must be a mapping of configuration keys")
    schema: dict[str, ConfigKey] = {}
    for raw_key, spec in config.items():
        key = str(raw_key)
        ours = _is_project_key(project, key)
        if not isinstance(spec, dict):  # RewriteShorthandConfigValues
            spec = {"default": spec} if ours else {"value": spec}

        def fail(message: str) -> None:
            raise ConfigError(f"{file_name}: {message}")

        typ, items = spec.get("type"), spec.get("items")
        default, value = spec.get("default"), spec.get("value")
        if default is not None and value is not None:
            fail(f"project config '{key}' cannot have both a 'default' and 'value' attribute")
        if typ is not None and typ not in _TYPES:  # project.json: the schema's type enum
            fail(f"config key '{key}' has type {typ!r}; expected one of {', '.join(_TYPES)}")
        if ours:
            if typ == "array" and items is None:
                fail(
                    f"The configuration key '{key}' declares an array but does not specify the underlying "
                    "type via the 'items' attribute"
                )
            if typ is not None and default is not None and not valid_config_value(typ, items, default):
                fail(
                    f"The default value specified for configuration key '{key}' is not of the expected type "
                    f"'{_full_type_name(typ, items)}'"
                )
        else:
            if typ is not None:
                fail(f"Configuration key '{key}' is not namespaced by the project and should not define a type")
            if default is not None:
                fail(
                    f"Configuration key '{key}' is not namespaced by the project and should not define a "
                    "default value. Did you mean to use the 'value' attribute instead of 'default'?"
                )
            if value is None:
                fail(f"Configuration key '{key}' is namespaced and must provide an attribute 'value'")
        full = key if ":" in key else f"{project}:{key}"
        given = default if ours else value
        if ours and value is not None:  # a project key may carry a value instead of a default
            given = value
        schema[full] = ConfigKey(
            full,
            key,
            typ,
            items if isinstance(items, dict) else None,
            given,
            given is not None,
            bool(spec.get("secret")),
        )
    return schema


def engine_string(value: Any) -> str:
    """A config value as the engine hands it to programs and packs: strings as they are, booleans
    ``true``/``false``, numbers as Go's ``%v`` prints them, lists and objects JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _replace_secure(value: Any) -> tuple[Any, bool]:
    """(value with ``secure:`` leaves replaced by the placeholder, whether any was)."""
    if _is_secure(value):
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {k: _replace_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        pairs = [_replace_secure(v) for v in value]
        return [v for v, _ in pairs], any(s for _, s in pairs)
    return value, False


def _stack_content(value: Any) -> Any:
    """What ``validateStackConfigValue`` checks: a scalar stack value is the string ``config.Value``
    holds; an object or list is its JSON decoded again (numbers become floats, as in Go)."""
    if isinstance(value, (dict, list)):
        return json.loads(json.dumps(value), parse_int=float)
    return engine_string(value)


def stack_config(
    project: str, schema: dict[str, ConfigKey], stack: str, raw: dict[str, Any]
) -> tuple[dict[str, str], list[str]]:
    """(config as the engine hands it to programs: full key -> string, secret keys); raises
    ``ConfigError`` listing every problem."""
    from .engine import ConfigError

    values: dict[str, Any] = {}
    secrets: set[str] = set()
    for key, value in raw.items():
        key = str(key)
        full = key if ":" in key else f"{project}:{key}"  # the CLI reads short keys as the project's
        values[full], secure = _replace_secure(value)
        if secure:
            secrets.add(full)
    problems: list[str] = []
    missing: list[str] = []
    for full, spec in schema.items():
        if full not in values:
            if spec.has_default:
                values[full] = spec.default
                if spec.secret:
                    secrets.add(full)
            elif full.startswith(project + ":"):
                missing.append(spec.declared)
            continue
        if spec.type is None:
            continue
        if spec.secret and full not in secrets:
            problems.append(
                f"Stack '{stack}' with configuration key '{spec.declared}' must be encrypted as it's secret"
            )
        elif not valid_config_value(spec.type, spec.items, _stack_content(values[full])):
            problems.append(
                f"Stack '{stack}' with configuration key '{spec.declared}' must be of type "
                f"'{_full_type_name(spec.type, spec.items)}'"
            )
    if missing:
        plural = "values" if len(missing) > 1 else "value"
        problems.insert(0, f"Stack '{stack}' is missing configuration {plural} " + ", ".join(f"'{k}'" for k in missing))
    if problems:
        raise ConfigError("\n".join(problems))
    config = {key: engine_string(value) for key, value in values.items() if value is not None}
    return config, sorted(secrets)

"""Raw input files read safely, before anything uses them: Pulumi.yaml, Pulumi.<stack>.yaml,
PulumiPolicy.yaml, policy-pack config JSON, stack names and numeric environment settings.

What "safely" means here (each a case a user hit, see issue 14):
- size bounded (``MAX_FILE_BYTES``) and UTF-8 checked, the error naming the line;
- YAML alias expansion bounded (``MAX_EXPANDED_NODES``): a 1 KB file of nested anchors must not
  become 10^8 items when a later step walks or prints it;
- duplicate mapping keys refused (YAML says keys are unique; PyYAML silently keeps the last);
- the type of each level checked (a stack file that is a list, ``config:`` that is a number);
- integers remember how they were written (``SourceInt.source``), so ``012345670123`` read by
  YAML 1.1 as octal is reported as the user typed it;
- every problem of a file reported together, each naming the key, a shortened value and what is
  expected.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .engine import ConfigError, PreviewError

__all__ = [
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "SourceInt",
    "check_stack_name",
    "env_seconds",
    "escape_controls",
    "load_json_config",
    "load_policy_pack_file",
    "positive_seconds",
    "read_pulumi_yaml",
    "shorten",
]

MAX_FILE_BYTES = 1024 * 1024
MAX_EXPANDED_NODES = 100_000
# Longest limit a setting may ask for (a week): larger values overflow the waits' timers.
MAX_SECONDS = 7 * 24 * 3600
_MERGE_TAG = "tag:yaml.org,2002:merge"
_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The CLI's rule for stack names: pulumi/pulumi pkg/backend/httpstate/backend.go validateStackName
# (stackNameAndProjectRegexp `^[A-Za-z0-9_.-]{1,100}$`); the file backend uses the same rule and
# message (pkg/backend/filestate/backend.go, now diy/: "stack names may not contain slashes",
# "stack names may only contain alphanumeric, hyphens, underscores, or periods"). The offline
# preview takes the plain name (no org/project/ prefix): it names Pulumi.<stack>.yaml.
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")


def escape_controls(text: str) -> str:
    """``text`` with control characters other than newline and tab written as escapes, so what a
    program or pack prints cannot drive the terminal (ANSI codes, carriage returns)."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch in "\n\t" or ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def shorten(value: Any, limit: int = 60) -> str:
    """A value as the user would write it, cut to ``limit`` characters with the full length said."""
    source = getattr(value, "source", None)
    if source is not None:
        text = source
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str, allow_nan=True)
        except (ValueError, RecursionError):
            text = repr(value)
    text = escape_controls(text).replace("\n", "\\n").replace("\t", "\\t")
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


class SourceInt(int):
    """An int that keeps the text it was read from (``012345670123`` is octal to YAML 1.1)."""

    source: str

    def __new__(cls, value: int, source: str) -> SourceInt:
        obj = super().__new__(cls, value)
        obj.source = source
        return obj

    def __reduce__(self) -> Any:  # pickles (to the program process) as a plain int
        return (int, (int(self),))


class _CheckingLoader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """Safe loader that records duplicate keys instead of silently keeping the last one."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.problems: list[str] = []

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:
                    continue  # an unhashable key: SafeConstructor reports it
                if duplicate:
                    self.problems.append(
                        f"line {key_node.start_mark.line + 1}: key {shorten(key)} appears more "
                        "than once (expected unique keys; YAML does not allow duplicates)"
                    )
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> Any:
        return SourceInt(super().construct_yaml_int(node), node.value)

    def construct_as_typed(self, node: Any) -> Any:
        # A date stays the text typed (2024-01-01), as config values are strings to the engine.
        return node.value

    def construct_refused(self, node: Any) -> Any:
        self.problems.append(
            f"line {node.start_mark.line + 1}: a {node.tag.rsplit(':', 1)[-1]} value "
            "(expected plain YAML: strings, numbers, booleans, lists and mappings)"
        )
        return None


_CheckingLoader.add_constructor("tag:yaml.org,2002:timestamp", _CheckingLoader.construct_as_typed)
for _tag in ("binary", "set", "omap", "pairs"):
    _CheckingLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _CheckingLoader.construct_refused)


_CheckingLoader.add_constructor("tag:yaml.org,2002:int", _CheckingLoader.construct_yaml_int)


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """How many nodes ``node`` becomes once every alias is expanded (shared nodes counted per use)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = MAX_EXPANDED_NODES + 1  # a recursive alias counts as too big
    if isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    else:
        size = 1
    memo[id(node)] = min(size, MAX_EXPANDED_NODES + 1)
    return memo[id(node)]


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ConfigError(f"{path.name}: the file is {size} bytes; at most {MAX_FILE_BYTES} are read")
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path.name}: line {line}: byte {data[exc.start : exc.start + 1]!r} is not UTF-8 "
            "(expected a UTF-8 text file)"
        ) from None


def load_yaml(path: Path) -> tuple[Any, list[str]]:
    """The YAML document of ``path`` and the problems found while reading it (duplicate keys).
    Raises ``ConfigError`` when the file cannot be read or parsed at all."""
    text = _read_text(path)
    loader = _CheckingLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        if _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise ConfigError(
                f"{path.name}: YAML aliases expand to more than {MAX_EXPANDED_NODES} values "
                "(expected a plain config file; nested anchors are refused)"
            )
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path.name}: invalid YAML: {where}{problem}") from None
    finally:
        loader.dispose()
    return data, loader.problems


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {shorten(value)}"
    if isinstance(value, str):
        return f"the string {shorten(value)}"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _config_problems(config: Any, where: str) -> Iterator[str]:
    if config is None:
        return
    if not isinstance(config, dict):
        yield f"'{where}' is {_kind(config)} (expected a mapping of config keys to values)"
        return
    for key in config:
        if not isinstance(key, str) or not key.strip():
            yield f"config key {shorten(key)} under '{where}' is not a name (expected a string such as 'aws:region')"


def _project_problems(data: dict) -> Iterator[str]:
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        yield f"'name' is {_kind(name)} (expected the project name, a non-empty string)"
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if not isinstance(runtime_name, str):
        yield f"'runtime' is {_kind(runtime)} (expected a string such as python, or a mapping with 'name')"
    if "main" in data and not isinstance(data["main"], str):
        yield f"'main' is {_kind(data['main'])} (expected a path relative to the project directory)"
    config = data.get("config")
    yield from _config_problems(config, "config")
    if not isinstance(config, dict):
        return
    for key, spec in config.items():
        if not isinstance(spec, dict):
            continue  # shorthand `key: default`
        for field, expected, described in (
            ("type", str, "a type name such as string"),
            ("items", dict, "a mapping such as {type: string}"),
            ("secret", bool, "true or false"),
            ("description", str, "a string"),
        ):
            if field in spec and not isinstance(spec[field], expected):
                yield f"config key '{key}' field '{field}' is {_kind(spec[field])} (expected {described})"


def read_pulumi_yaml(path: Path | str) -> dict:
    """Pulumi.yaml (project) or Pulumi.<stack>.yaml (stack), checked level by level; raises
    ``ConfigError`` listing every problem of the file."""
    path = Path(path)
    data, problems = load_yaml(path)
    data = {} if data is None else data
    if not isinstance(data, dict):
        expected = "project settings" if path.stem == "Pulumi" else "a 'config:' key"
        raise ConfigError(f"{path.name}: the file is {_kind(data)} (expected a mapping with {expected})")
    if path.stem in ("Pulumi",):
        problems.extend(_project_problems(data))
    else:
        problems.extend(_config_problems(data.get("config"), "config"))
    if problems:
        raise ConfigError(f"{path.name}:\n  " + "\n  ".join(problems))
    return data


def check_stack_name(stack: str) -> None:
    if "/" in stack:
        raise ConfigError(
            f"stack name {shorten(stack)} may not contain slashes (the offline preview takes the "
            "plain stack name, the <stack> of Pulumi.<stack>.yaml)"
        )
    if not _STACK_NAME.fullmatch(stack):
        raise ConfigError(
            f"stack name {shorten(stack)} is not valid: stack names may only contain alphanumeric, "
            "hyphens, underscores, or periods, at most 100 characters"
        )


# --------------------------------------------------------------------------------------------
# Policy packs
# --------------------------------------------------------------------------------------------


def load_policy_pack_file(pack_dir: Path) -> dict:
    """PulumiPolicy.yaml of a pack, checked; a ``virtualenv:`` option must name an existing
    virtual environment, as under the CLI: its launcher pulumi/pulumi
    sdk/python/cmd/pulumi-analyzer-policy-python exits 1 with "<dir> doesn't appear to be a virtual
    environment" when <dir>/bin/python is missing."""
    path = pack_dir / "PulumiPolicy.yaml"
    try:
        data, problems = load_yaml(path)
    except ConfigError as exc:
        raise PreviewError(f"policy pack {pack_dir.name}: {exc}") from None
    data = {} if data is None else data
    if not isinstance(data, dict):
        raise PreviewError(
            f"policy pack {pack_dir.name}: {path.name} is {_kind(data)} (expected a mapping with 'runtime')"
        )
    runtime = data.get("runtime")
    options = runtime.get("options") if isinstance(runtime, dict) else None
    if options is not None and not isinstance(options, dict):
        problems.append(f"'runtime.options' is {_kind(options)} (expected a mapping)")
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    if venv is not None and not (isinstance(venv, str) and (pack_dir / venv / "bin" / "python").exists()):
        problems.append(
            f"'runtime.options.virtualenv' is {shorten(venv)}, which doesn't appear to be a "
            f"virtual environment (expected a directory with bin/python, relative to {pack_dir})"
        )
    if problems:
        raise PreviewError(f"policy pack {pack_dir.name}: {path.name}:\n  " + "\n  ".join(problems))
    return data


def _non_finite(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, float) and not math.isfinite(value):
        yield f"{path or 'the document'} is {value} (expected a finite number; JSON has no NaN or Infinity)"
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _non_finite(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _non_finite(item, f"{path}[{index}]")


def load_json_config(path: Path | str, what: str) -> dict:
    """A JSON object file (policy-pack config): bounded, UTF-8, strict JSON (no NaN/Infinity,
    which protobuf Struct values cannot carry), every problem naming its property."""
    path = Path(path)
    text = _read_text(path)
    try:
        data = json.loads(text)
    except RecursionError:
        raise PreviewError(f"{what} {path}: nested too deeply") from None
    except ValueError as exc:
        raise PreviewError(f"{what} {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PreviewError(f"{what} {path} is {_kind(data)} (expected a JSON object)")
    problems = list(_non_finite(data, ""))
    if problems:
        raise PreviewError(f"{what} {path}:\n  " + "\n  ".join(problems))
    return data


# --------------------------------------------------------------------------------------------
# Environment
# --------------------------------------------------------------------------------------------


def positive_seconds(text: str, source: str) -> float:
    """A positive, finite number of seconds (``60``, ``2.5``), or a clear error naming ``source``
    (the option or environment variable it came from)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or value > MAX_SECONDS:
        raise PreviewError(
            f"{source}={shorten(text)} is not valid (expected a positive number of seconds, "
            f"such as 60, at most {MAX_SECONDS})"
        )
    return value


def env_seconds(name: str, default: float) -> float:
    """``positive_seconds`` of an environment variable, ``default`` when it is unset or empty."""
    raw = os.environ.get(name, "")
    return positive_seconds(raw, f"environment variable {name}") if raw.strip() else default

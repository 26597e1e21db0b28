"""Serve policy packs over the Analyzer gRPC protocol, as the Pulumi CLI does.

Each pack runs as its own process, launched the way the CLI launches Python packs
(``pulumi-analyzer-policy-python`` runs ``python -u -m pulumi.policy <engineAddress> <packDir>``):
working directory the pack directory, environment ``PULUMI_CONFIG`` (the program's config as JSON),
``PULUMI_CONFIG_SECRET_KEYS``, ``PULUMI_PROJECT``, ``PULUMI_STACK``, ``PULUMI_DRY_RUN``,
``PULUMI_ORGANIZATION``. The pack prints its port on stdout; we connect an ``AnalyzerStub``.

Per pack: ``Handshake`` (ignored when UNIMPLEMENTED, as the Python SDK does not implement it),
``GetAnalyzerInfo``, ``Configure`` with the policy config reconciled as the engine does,
``ConfigureStack``, ``Analyze`` once per resource (inputs, type, URN, name, options, provider)
and ``AnalyzeStack`` once with every resource (outputs, parent, dependencies, property
dependencies). Diagnostics come back as ``Diagnostic`` records, in a deterministic order.

Policy config (``--policy-pack-config FILE``, order-matched to packs), JSON such as
``{"all": "mandatory", "policy-a": "advisory", "policy-b": {"enforcementLevel": "mandatory", "max": 3}}``.
Enforcement level precedence, as the CLI: per-policy config > ``all`` > the pack's initial config
> the policy's own level > the pack's level. Properties start from the defaults of each policy's
``configSchema`` and are validated against it with jsonschema.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from ._values import plain
from .engine import PreviewError
from .raw_inputs import env_seconds, escape_controls, load_json_config, load_policy_pack_file, shorten

if TYPE_CHECKING:
    import grpc
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc


_PROTOS_LOADED = False

# Where the Pulumi SDK's generated protocol modules are loaded when the SDK itself is not (below).
_PROTO_PACKAGE = "preview_pulumi_protos"


def _protos() -> None:
    """gRPC and the Analyzer protos, imported on first use so packs can be launched first."""
    global grpc, empty_pb2, json_format, struct_pb2, _PROTOS_LOADED
    if _PROTOS_LOADED:
        return
    _PROTOS_LOADED = True
    import grpc
    from google.protobuf import empty_pb2, json_format, struct_pb2

    # Module globals, typed by the TYPE_CHECKING import above.
    globals().update(zip(("analyzer_pb2", "analyzer_pb2_grpc"), _analyzer_modules()))


def _analyzer_modules() -> tuple[Any, Any]:
    """``pulumi.runtime.proto``'s ``analyzer_pb2`` and ``analyzer_pb2_grpc``. Importing them by that
    name first runs ``pulumi/__init__.py``, the whole SDK (about a second of CPU with no bytecode
    cache), which the engine's side of the preview never uses; unless the SDK is loaded already, the
    generated files are loaded from the SDK's directory under a package of their own instead. They
    register their messages with protobuf's default pool, so a later import of the SDK (a test that
    runs a program in this process) gets the same message classes."""
    if "pulumi" not in sys.modules:
        import importlib
        import importlib.util
        import types

        try:
            spec = importlib.util.find_spec("pulumi")  # finds the package without running it
            if spec is not None and spec.origin is not None:
                package = sys.modules.get(_PROTO_PACKAGE)
                if package is None:
                    package = types.ModuleType(_PROTO_PACKAGE)
                    package.__path__ = [str(Path(spec.origin).parent / "runtime" / "proto")]
                    sys.modules[_PROTO_PACKAGE] = package
                return (
                    importlib.import_module(f"{_PROTO_PACKAGE}.analyzer_pb2"),
                    importlib.import_module(f"{_PROTO_PACKAGE}.analyzer_pb2_grpc"),
                )
        except ImportError:
            sys.modules.pop(_PROTO_PACKAGE, None)  # the SDK's layout changed: import it as usual
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    return analyzer_pb2, analyzer_pb2_grpc


__all__ = [
    "LEVELS",
    "AnalyzerError",
    "Diagnostic",
    "PolicyPackProcess",
    "PolicyPacks",
    "StackBuilder",
    "StackResource",
    "analyzable",
    "load_policy_config",
    "reconcile_policy_config",
    "stack_resources",
]

_GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", 400 * 1024 * 1024),
    ("grpc.max_send_message_length", 400 * 1024 * 1024),
]
# pulumi.analyzer EnforcementLevel values.
LEVELS = {"advisory": 0, "mandatory": 1, "disabled": 2, "remediate": 3}
_LEVEL_NAMES = {v: k for k, v in LEVELS.items()}
_SEVERITY_NAMES = {0: "", 1: "low", 2: "medium", 3: "high", 4: "critical"}
_START_TIMEOUT = 60.0  # seconds; PREVIEW_PACK_START_TIMEOUT overrides (read when a pack connects)
# Every Analyzer call gets a gRPC deadline (--policy-timeout), so a pack that never answers
# cannot hang the preview (https://grpc.io/docs/guides/deadlines/).
DEFAULT_CALL_TIMEOUT = 300.0
# The CLI passes its engine address; the Python pack host accepts it but logs nothing through it.
_ENGINE_ADDRESS = "127.0.0.1:0"


class AnalyzerError(PreviewError):
    """A pack failed to start, to answer, or its config is invalid."""


def pack_start_timeout() -> float:
    """Seconds a pack has to print its port: PREVIEW_PACK_START_TIMEOUT, checked, or 60."""
    return env_seconds("PREVIEW_PACK_START_TIMEOUT", _START_TIMEOUT)


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    pack: str
    policy: str
    level: str  # advisory | mandatory | remediate | disabled
    urn: str
    message: str
    description: str = ""
    severity: str = ""
    # --mode up: whether a plain `pulumi preview` already shows this finding (None: one phase only).
    at_preview: Optional[bool] = dataclasses.field(default=None, compare=False)

    def to_json(self) -> dict:
        found = {
            "pack": self.pack,
            "policy": self.policy,
            "level": self.level,
            "urn": self.urn,
            "message": self.message,
        }
        if self.at_preview is not None:
            found["atPreview"] = self.at_preview
        return found


@dataclasses.dataclass
class StackResource:
    """A resource as the analyzer sees it (both Analyze and AnalyzeStack)."""

    urn: str
    type: str
    name: str
    inputs: dict
    outputs: dict
    custom: bool = True
    parent: str = ""
    provider: Optional[StackResource] = None  # the provider resource (explicit or default)
    dependencies: list[str] = dataclasses.field(default_factory=list)
    property_dependencies: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    options: dict = dataclasses.field(default_factory=dict)


# Dynamic providers are served by the language host; the engine hands them the whole stack config
# (pulumi-policy tests/integration/provider: the dynamic provider's props carry "<project>:scenario").
_DYNAMIC_PACKAGES = ("pulumi-python", "pulumi-nodejs")


def _default_provider(package: str, version: str, *, stack: str, project: str, config: dict[str, str]) -> StackResource:
    """The engine's default provider for a package and version: named ``default_<version>``
    (``default`` when unversioned) with the package's config and ``version`` as its properties, and
    no parent (pulumi-policy tests/integration/provider asserts ``default_4_0_0``, ``version`` and
    ``provider:scenario``; parent_dependencies asserts providers have no parent)."""
    name = "default_" + re.sub(r"[^0-9A-Za-z]", "_", version) if version else "default"
    if package in _DYNAMIC_PACKAGES:
        props: dict[str, Any] = dict(config)
    else:
        prefix = package + ":"
        props = {key[len(prefix) :]: value for key, value in config.items() if key.startswith(prefix)}
    if version:
        props["version"] = version
    urn = f"urn:pulumi:{stack}::{project}::pulumi:providers:{package}::{name}"
    return StackResource(urn=urn, type=f"pulumi:providers:{package}", name=name, inputs=props, outputs=props)


class StackBuilder:
    """Turns ``FakeAws`` records, one at a time as they are registered, into what the engine sends the
    analyzers: each registration linked to its provider resource (explicit, or the engine's default
    provider for its package and version), then the whole stack."""

    def __init__(self, *, project: str, stack: str, config: Optional[dict[str, str]] = None):
        self.project, self.stack, self.config = project, stack, dict(config or {})
        self.stack_urn = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
        self.by_urn: dict[str, StackResource] = {}
        self.defaults: dict[tuple[str, str], StackResource] = {}
        self.unlinked: list[tuple[StackResource, str, tuple[str, str]]] = []

    def add(self, record: Any) -> StackResource:
        inputs, outputs = record.inputs, record.outputs
        version = getattr(record, "version", "") or ""
        if record.type.startswith("pulumi:providers:") and version:
            # The engine records an explicit provider's plugin version among its inputs (pulumi-policy
            # tests/integration/provider: "my-provider" has props["version"] == "4.0.0").
            inputs, outputs = {**inputs, "version": version}, {**outputs, "version": version}
        res = StackResource(
            urn=record.urn,
            type=record.type,
            name=record.name,
            inputs=inputs,
            outputs=outputs,
            custom=record.custom,
            parent=record.parent or self.stack_urn,
            dependencies=list(record.dependencies),
            # The SDK lists every input, most with no dependency; the engine sends none.
            property_dependencies={k: list(v) for k, v in record.property_dependencies.items() if v},
            options=dict(record.options),
        )
        self.by_urn[record.urn] = res
        if record.custom and not record.type.startswith("pulumi:providers:"):
            self._link(res, record.provider, (record.type.split(":", 1)[0], version))
        return res

    def _link(self, res: StackResource, provider_ref: str, package: tuple[str, str]) -> None:
        if provider_ref:
            # A provider is registered before its users (they need its ID); in another order the
            # link waits for ``resources``.
            res.provider = self.by_urn.get(provider_ref.rsplit("::", 1)[0])
            if res.provider is None:
                self.unlinked.append((res, provider_ref, package))
            return
        if package not in self.defaults:
            self.defaults[package] = _default_provider(
                *package, stack=self.stack, project=self.project, config=self.config
            )
        res.provider = self.defaults[package]

    def resources(self, records: Sequence[Any], outputs: Optional[dict] = None) -> list[StackResource]:
        """The root stack (its outputs are the exports), every default provider used, then the
        resources of ``records`` (each added already) in that order."""
        unlinked, self.unlinked = self.unlinked, []
        for res, provider_ref, package in unlinked:
            found = self.by_urn.get(provider_ref.rsplit("::", 1)[0])
            if found is not None:
                res.provider = found
            else:
                self._link(res, "", package)
        for record in records:
            if not record.custom:  # a component's outputs arrive after it is added (register_outputs)
                self.by_urn[record.urn].outputs = record.outputs
        root = StackResource(
            urn=self.stack_urn,
            type="pulumi:pulumi:Stack",
            name=f"{self.project}-{self.stack}",
            inputs={},
            outputs=dict(outputs or {}),
            custom=False,
        )
        return [root, *self.defaults.values(), *(self.by_urn[r.urn] for r in records)]


def stack_resources(
    records: Sequence[Any],
    *,
    project: str,
    stack: str,
    outputs: Optional[dict] = None,
    config: Optional[dict[str, str]] = None,
) -> list[StackResource]:
    """Every record at once through a ``StackBuilder`` (``config``: the stack config as the program
    got it)."""
    builder = StackBuilder(project=project, stack=stack, config=config)
    for record in records:
        builder.add(record)
    return builder.resources(records, outputs)


# --------------------------------------------------------------------------------------------
# Policy config, reconciled as the engine does
# --------------------------------------------------------------------------------------------


def load_policy_config(path: Path | str) -> dict:
    # Strict JSON: NaN/Infinity are refused naming the property (a Struct cannot carry them).
    return load_json_config(path, "policy pack config")


def _split_entry(pack: str, policy: str, value: Any) -> tuple[Optional[str], dict]:
    if isinstance(value, str):
        level, props = value, {}
    elif isinstance(value, dict):
        props = dict(value)
        level = props.pop("enforcementLevel", None)
    else:
        raise AnalyzerError(f"policy pack '{pack}' config for '{policy}' must be an enforcement level or an object")
    if level is not None and level not in LEVELS:
        raise AnalyzerError(
            f"policy pack '{pack}' config for '{policy}': invalid enforcement level {level!r} "
            f"(expected one of {', '.join(LEVELS)})"
        )
    return level, props


def reconcile_policy_config(
    info: analyzer_pb2.AnalyzerInfo, config: Optional[dict], version: Optional[str] = None
) -> dict[str, tuple[str, dict]]:
    """policy name -> (enforcement level, properties) to send with Configure. ``version``: the pack's
    version as the CLI knows it (PulumiPolicy.yaml ``version`` wins over the pack's own)."""
    _protos()
    pack = info.name
    version = version or info.version
    config = dict(config or {})
    names = {p.name for p in info.policies}
    unknown = sorted(k for k in config if k != "all" and k not in names)
    if unknown:
        raise AnalyzerError(
            f"policy pack '{pack}' config names unknown policies: {', '.join(unknown)} "
            f"(known: {', '.join(sorted(names))})"
        )
    # ADVISORY is the proto default, so an initial config entry "advisory" reads as "not set".
    initial = {
        k: (
            _LEVEL_NAMES.get(v.enforcementLevel) if v.enforcementLevel else None,
            plain(json_format.MessageToDict(v.properties)),
        )
        for k, v in info.initialConfig.items()
    }
    all_level, _ = _split_entry(pack, "all", config["all"]) if "all" in config else (None, {})
    initial_all = initial.get("all", (None, {}))[0]

    problems: list[str] = []
    result: dict[str, tuple[str, dict]] = {}
    for policy in info.policies:
        # Struct numbers are doubles; whole numbers back to ints so messages read "60", not "60.0".
        schema_props = (
            plain(json_format.MessageToDict(policy.configSchema.properties)) if policy.HasField("configSchema") else {}
        )
        required = list(policy.configSchema.required) if policy.HasField("configSchema") else []
        properties = {k: v["default"] for k, v in schema_props.items() if isinstance(v, dict) and "default" in v}
        level = _LEVEL_NAMES.get(policy.enforcementLevel, "advisory")
        if initial_all:
            level = initial_all
        if policy.name in initial:
            init_level, init_props = initial[policy.name]
            level = init_level or level
            properties.update(init_props)
        if all_level:
            level = all_level
        if policy.name in config:
            own_level, props = _split_entry(pack, policy.name, config[policy.name])
            level = own_level or level
            properties.update(props)
        # Every policy's config is validated once defaults are applied, as the CLI does: an invalid
        # schema default fails the run (pulumi-policy tests/integration/config scenarios 6-11).
        if schema_props or required:
            problems.extend(
                f"{pack} {version}  {policy.name}: {message}"
                for message in _schema_problems(schema_props, required, properties)
            )
        result[policy.name] = (level, properties)
    if problems:
        raise AnalyzerError("\n".join(f"validating policy config: {problem}" for problem in problems))
    return result


_JSON_TYPES = (
    (bool, "boolean"),
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (type(None), "null"),
    (list, "array"),
    (dict, "object"),
)


def _json_type(value: Any) -> str:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), type(value).__name__)


def _schema_problems(schema_props: dict, required: list[str], properties: dict) -> list[str]:
    """Problems of ``properties`` against the policy's config schema, worded as the CLI words them
    (it validates with gojsonschema; the expected texts are those of pulumi-policy
    tests/integration/integration_test.go TestConfig). Other keywords keep jsonschema's text."""
    import jsonschema

    schema = {"type": "object", "properties": schema_props, "required": required}
    problems = []
    for error in jsonschema.Draft7Validator(schema).iter_errors(properties):
        field = ".".join(str(p) for p in error.path)
        if error.validator == "required":
            missing = [name for name in error.validator_value if name not in (error.instance or {})]
            problems.extend(f"{name} is required" for name in missing)
            continue
        kind, value = error.validator, error.validator_value
        if kind == "type":
            text = f"Invalid type. Expected: {value}, given: {_json_type(error.instance)}"
        elif kind == "maxLength":
            text = f"String length must be less than or equal to {value}"
        elif kind == "minLength":
            text = f"String length must be greater than or equal to {value}"
        elif kind == "enum":
            text = f"{field} must be one of the following: " + ", ".join(json.dumps(v) for v in value)
        elif kind == "const":
            text = f"{field} does not match: {json.dumps(value)}"
        else:
            text = error.message
        problems.append(f"{field}: {text}" if field else text)
    return sorted(problems)


# --------------------------------------------------------------------------------------------
# One pack process
# --------------------------------------------------------------------------------------------


def _pack_python(pack_dir: Path) -> str:
    """The interpreter the CLI would use: the pack's virtualenv if PulumiPolicy.yaml names one
    (``load_policy_pack_file`` refuses an unparsable file or a virtualenv that is not there)."""
    data = load_policy_pack_file(pack_dir)
    runtime = data.get("runtime") if isinstance(data, dict) else None
    options = runtime.get("options") if isinstance(runtime, dict) else None
    venv = options.get("virtualenv") if isinstance(options, dict) else None
    if venv:
        candidate = pack_dir / venv / "bin" / "python"
        if candidate.exists():
            return str(candidate)
    return sys.executable


def _exit_text(code: Optional[int]) -> str:
    """How a pack process ended: its exit code, or the signal that killed it (a negative code)."""
    if code is not None and code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name} (exit code {code})"
        except ValueError:
            pass
    return f"exited with code {code}"


def _die_with_parent() -> None:
    """In the pack process before exec: get SIGTERM if the preview dies without stopping us
    (Linux prctl PR_SET_PDEATHSIG), so a killed preview leaves no pack behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _pack_version(pack_dir: Path) -> Optional[str]:
    data = load_policy_pack_file(pack_dir)
    version = data.get("version") if isinstance(data, dict) else None
    return str(version) if version else None


def _struct(value: dict) -> struct_pb2.Struct:
    _protos()
    st = struct_pb2.Struct()
    st.update(value)
    return st


def _options(res: StackResource) -> analyzer_pb2.AnalyzerResourceOptions:
    opts = res.options or {}
    timeouts = opts.get("customTimeouts") or {}
    return analyzer_pb2.AnalyzerResourceOptions(
        protect=bool(opts.get("protect")),
        ignoreChanges=list(opts.get("ignoreChanges") or []),
        deleteBeforeReplace=bool(opts.get("deleteBeforeReplace")),
        deleteBeforeReplaceDefined=bool(opts.get("deleteBeforeReplace")),
        additionalSecretOutputs=list(opts.get("additionalSecretOutputs") or []),
        aliases=list(opts.get("aliases") or []),
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
            create=_seconds(timeouts.get("create")),
            update=_seconds(timeouts.get("update")),
            delete=_seconds(timeouts.get("delete")),
        ),
        parent=res.parent or "",
    )


def _seconds(duration: Any) -> float:
    if not duration:
        return 0.0
    if isinstance(duration, (int, float)):
        return float(duration)
    text, total, number = str(duration), 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1}
    for ch in text:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in units and number:
            total += float(number) * units[ch]
            number = ""
    return total


_PROVIDER_CACHE: dict[int, tuple[StackResource, analyzer_pb2.AnalyzerProviderResource]] = {}


def _provider_message(res: StackResource) -> Optional[analyzer_pb2.AnalyzerProviderResource]:
    if res.provider is None:
        return None
    p = res.provider
    # Thousands of resources share a handful of providers: build each provider message once.
    cached = _PROVIDER_CACHE.get(id(p))
    if cached is not None and cached[0] is p:
        return cached[1]
    message = analyzer_pb2.AnalyzerProviderResource(type=p.type, properties=_struct(p.inputs), urn=p.urn, name=p.name)
    if len(_PROVIDER_CACHE) > 256:
        _PROVIDER_CACHE.clear()
    _PROVIDER_CACHE[id(p)] = (p, message)
    return message


def _analyze_request(res: StackResource) -> analyzer_pb2.AnalyzeRequest:
    req = analyzer_pb2.AnalyzeRequest(
        type=res.type, properties=_struct(res.inputs), urn=res.urn, name=res.name, options=_options(res)
    )
    provider = _provider_message(res)
    if provider is not None:
        req.provider.CopyFrom(provider)
    return req


def _stack_resource_message(res: StackResource) -> analyzer_pb2.AnalyzerResource:
    msg = analyzer_pb2.AnalyzerResource(
        type=res.type,
        properties=_struct(res.outputs),
        urn=res.urn,
        name=res.name,
        options=_options(res),
        parent=res.parent or "",
        dependencies=list(res.dependencies),
    )
    provider = _provider_message(res)
    if provider is not None:
        msg.provider.CopyFrom(provider)
    for key, urns in (res.property_dependencies or {}).items():
        msg.propertyDependencies[key].urns.extend(urns)
    return msg


def analyzable(res: StackResource) -> bool:
    """Whether ``Analyze`` is called for ``res``: every resource but the stack and the providers."""
    return not res.type.startswith("pulumi:providers:") and res.type != "pulumi:pulumi:Stack"


class PolicyPackProcess:
    """One running pack: the process, its gRPC stub, its info."""

    def __init__(self, pack_dir: Path | str, env: dict[str, str], call_timeout: float = DEFAULT_CALL_TIMEOUT):
        self.pack_dir = Path(pack_dir).resolve()
        self.call_timeout = call_timeout
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise AnalyzerError(f"{self.pack_dir} is not a policy pack (no PulumiPolicy.yaml)")
        # Held for the pack's life and closed by stop(): no context manager can span it.
        self._stderr = tempfile.TemporaryFile(mode="w+b")  # noqa: SIM115
        self.process = subprocess.Popen(
            [_pack_python(self.pack_dir), "-u", "-m", "pulumi.policy", _ENGINE_ADDRESS, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            start_new_session=True,  # Ctrl-C goes to us; we stop the pack ourselves
            preexec_fn=_die_with_parent,
        )
        self._port: Optional[int] = None
        self._port_error: Optional[str] = None
        self._port_ready = threading.Event()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self.channel: Optional[grpc.Channel] = None
        self.stub: Optional[analyzer_pb2_grpc.AnalyzerStub] = None
        self.info: Optional[analyzer_pb2.AnalyzerInfo] = None
        self.name = self.pack_dir.name
        self.version = _pack_version(self.pack_dir)

    def _read_stdout(self) -> None:
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        try:
            self._port = int(first.strip())
        except ValueError:
            # None: the pack closed stdout (ended) before a first line.
            self._port_error = first.decode(errors="replace").rstrip("\n") if first else None
        self._port_ready.set()
        # Keep draining so a pack that prints cannot block on a full pipe.
        for _ in iter(lambda: self.process.stdout.read(65536), b""):
            pass

    def stderr_tail(self, lines: int = 15) -> str:
        try:
            self._stderr.seek(0)
            text = self._stderr.read().decode(errors="replace")
        except (OSError, ValueError):
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def _failure(self, what: str) -> AnalyzerError:
        # One line: what happened, then the last line the pack wrote to stderr (its exception).
        last = self.stderr_tail(1)
        # Printed as the pack wrote it (the CLI shows a pack's stderr verbatim), bounded and with
        # control characters escaped.
        shown = escape_controls(last if len(last) <= 300 else f"{last[:300]}... ({len(last)} characters)")
        detail = f"; its stderr ends with: {shown}" if last else ""
        return AnalyzerError(f"policy pack {self.pack_dir.name} ({self.pack_dir}) {what}{detail}")

    def connect(self, timeout: Optional[float] = None) -> None:
        _protos()
        if timeout is None:
            timeout = pack_start_timeout()
        deadline = time.monotonic() + timeout
        while not self._port_ready.wait(0.05):
            if self.process.poll() is not None and not self._port_ready.is_set():
                self._port_ready.wait(0.5)
                if not self._port_ready.is_set() or self._port is None:
                    raise self._failure(f"{_exit_text(self.process.returncode)} before serving")
            if time.monotonic() > deadline:
                raise self._failure(f"did not print its port within {timeout:.0f} s")
        if self._port is None:
            # As the CLI: the first stdout line must be the port, else the plugin is refused
            # (pulumi/pulumi sdk/go/common/resource/plugin/plugin.go: "wrote a non-numeric port").
            if self._port_error is not None:
                raise self._failure(f"wrote a non-numeric port to stdout ({shorten(self._port_error)}) before serving")
            try:
                code: Optional[int] = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            raise self._failure(
                f"{_exit_text(code)} before serving"
                if code is not None
                else "closed its stdout without printing its port"
            )
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self._port}", options=_GRPC_OPTIONS)
        try:
            grpc.channel_ready_future(self.channel).result(timeout=max(1.0, deadline - time.monotonic()))
        except grpc.FutureTimeoutError:
            raise self._failure("did not accept connections") from None
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        try:
            self.stub.Handshake(
                analyzer_pb2.AnalyzerHandshakeRequest(
                    engine_address=_ENGINE_ADDRESS,
                    root_directory=str(self.pack_dir),
                    program_directory=str(self.pack_dir),
                ),
                timeout=self.call_timeout,
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise self._rpc_failure("Handshake", exc) from None
        try:
            self.info = self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=self.call_timeout)
        except grpc.RpcError as exc:
            raise self._rpc_failure("GetAnalyzerInfo", exc) from None
        self.name = self.info.name or self.name
        self.version = self.version or self.info.version

    def _rpc_failure(self, method: str, exc: grpc.RpcError) -> AnalyzerError:
        if exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
            return self._failure(f"did not answer {method} within {self.call_timeout:g} s (--policy-timeout)")
        return self._failure(f"failed in {method}: {exc.code().name}: {shorten(exc.details() or '', 300)}")

    def configure(self, policy_config: Optional[dict], stack_settings: dict) -> dict[str, tuple[str, dict]]:
        assert self.stub is not None and self.info is not None
        reconciled = reconcile_policy_config(self.info, policy_config, self.version)
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in reconciled.items():
            request.policyConfig[name].CopyFrom(
                analyzer_pb2.PolicyConfig(enforcementLevel=LEVELS[level], properties=_struct(props))
            )
        try:
            self.stub.Configure(request, timeout=self.call_timeout)
        except grpc.RpcError as exc:
            raise self._rpc_failure("Configure", exc) from None
        try:
            self.stub.ConfigureStack(
                analyzer_pb2.AnalyzerStackConfigureRequest(**stack_settings), timeout=self.call_timeout
            )
        except grpc.RpcError as exc:
            if exc.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise self._rpc_failure("ConfigureStack", exc) from None
        return reconciled

    def _diagnostics(
        self, response: analyzer_pb2.AnalyzeResponse, resource_urn: Optional[str] = None
    ) -> list[Diagnostic]:
        """``resource_urn``: the resource analysed. The engine attaches every ``Analyze`` finding to it,
        whatever URN the pack reports (pulumi-policy tests/integration/validate_resource scenario 9
        reports "some-urn" and expects the resource ``e``); stack findings keep the pack's URN."""
        return [
            Diagnostic(
                pack=d.policyPackName or self.name,
                policy=d.policyName,
                level=_LEVEL_NAMES.get(d.enforcementLevel, "advisory"),
                urn=resource_urn if resource_urn is not None else d.urn,
                message=d.message,
                description=d.description,
                severity=_SEVERITY_NAMES.get(d.severity, ""),
            )
            for d in response.diagnostics
        ]

    def analyze_later(self, res: StackResource) -> Any:
        """Send ``Analyze`` for ``res`` without waiting; ``analyzed`` gives its findings."""
        assert self.stub is not None
        return self.stub.Analyze.future(_analyze_request(res), timeout=self.call_timeout)

    def analyzed(self, res: StackResource, future: Any) -> list[Diagnostic]:
        try:
            return self._diagnostics(future.result(), res.urn)
        except grpc.RpcError as exc:
            raise self._rpc_failure(f"Analyze of {res.urn}", exc) from None

    def analyze(self, resources: Sequence[StackResource], window: int = 64) -> list[Diagnostic]:
        """Analyze every resource (concurrently, at most ``window`` calls in flight); the result
        keeps resource order."""
        pending: list[tuple[StackResource, Any]] = []
        found: dict[int, list[Diagnostic]] = {}
        for index, res in enumerate(resources):
            pending.append((res, self.analyze_later(res)))
            if len(pending) > window:
                first = pending.pop(0)
                found[index - window] = self.analyzed(*first)
        start = len(resources) - len(pending)
        for offset, item in enumerate(pending):
            found[start + offset] = self.analyzed(*item)
        return [d for index in range(len(resources)) for d in found.get(index, [])]

    def analyze_stack(self, resources: Sequence[StackResource]) -> list[Diagnostic]:
        assert self.stub is not None
        request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource_message(r) for r in resources])
        try:
            return self._diagnostics(self.stub.AnalyzeStack(request, timeout=self.call_timeout))
        except grpc.RpcError as exc:
            raise self._rpc_failure("AnalyzeStack", exc) from None

    def stop(self) -> None:
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)  # our own child's session only
            except (ProcessLookupError, PermissionError):
                self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._reader.join(timeout=2)
        self._stderr.close()


class PolicyPacks:
    """Start several packs (concurrently), configure them, analyze, and stop them cleanly.

    Use as a context manager::

        with PolicyPacks([dir_a, dir_b], project="p", stack="dev", config=cfg,
                         policy_configs=[None, {"all": "mandatory"}]) as packs:
            diagnostics = packs.run(resources)
    """

    def __init__(
        self,
        pack_dirs: Iterable[Path | str],
        *,
        project: str,
        stack: str,
        config: Optional[dict[str, str]] = None,
        secret_keys: Sequence[str] = (),
        policy_configs: Sequence[Optional[dict]] = (),
        organization: str = "organization",
        dry_run: bool = True,
        call_timeout: float = DEFAULT_CALL_TIMEOUT,
    ):
        self.pack_dirs = [Path(p).resolve() for p in pack_dirs]
        if len(policy_configs) > len(self.pack_dirs):
            raise AnalyzerError(
                f"{len(policy_configs)} policy pack config files for {len(self.pack_dirs)} packs "
                "(each --policy-pack-config matches the --policy-pack at the same position)"
            )
        self.policy_configs = list(policy_configs) + [None] * (len(self.pack_dirs) - len(policy_configs))
        self.project, self.stack, self.organization, self.dry_run = project, stack, organization, dry_run
        self.call_timeout = call_timeout
        self.config = dict(config or {})
        self.secret_keys = list(secret_keys)
        self.packs: list[PolicyPackProcess] = []
        self.reconciled: list[dict[str, tuple[str, dict]]] = []

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            {
                "PULUMI_CONFIG": json.dumps(self.config),
                "PULUMI_CONFIG_SECRET_KEYS": json.dumps(self.secret_keys),
                "PULUMI_PROJECT": self.project,
                "PULUMI_STACK": self.stack,
                "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
                "PULUMI_ORGANIZATION": self.organization,
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.pop("PYTHONPATH", None)  # the pack sees its own directory, as under the CLI
        return env

    def launch(self) -> PolicyPacks:
        """Start the pack processes without waiting for them (they boot while the program runs)."""
        if self.packs:
            return self
        try:
            env = self._env()
            for pack_dir in self.pack_dirs:
                self.packs.append(PolicyPackProcess(pack_dir, env, self.call_timeout))
        except BaseException:
            self.stop()
            raise
        return self

    def start(self) -> PolicyPacks:
        """Launch (if not yet), connect, read each pack's info and configure it."""
        self.launch()
        try:
            for pack in self.packs:
                pack.connect()
            settings = dict(
                stack=self.stack,
                project=self.project,
                organization=self.organization,
                dry_run=self.dry_run,
                config=self.config,
                config_secret_keys=self.secret_keys,
            )
            self.reconciled = [pack.configure(cfg, settings) for pack, cfg in zip(self.packs, self.policy_configs)]
        except BaseException:
            self.stop()
            raise
        return self

    def run(self, resources: Sequence[StackResource]) -> list[Diagnostic]:
        """Analyze each resource (inputs), then the whole stack (outputs), on every pack. (The
        preview analyses while the program runs, in two phases: ``preview.session``.)"""
        targets = [r for r in resources if analyzable(r)]
        return self.each_pack(lambda pack: pack.analyze(targets) + pack.analyze_stack(resources))

    def each_pack(self, work: Any) -> list:
        """``work(pack)`` (a list) for every pack, concurrently, concatenated in pack order."""
        if len(self.packs) <= 1:
            return [item for pack in self.packs for item in work(pack)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(self.packs)) as pool:
            futures = [pool.submit(work, pack) for pack in self.packs]
            return [item for f in futures for item in f.result()]

    def stop(self) -> None:
        for pack in self.packs:
            try:
                pack.stop()
            except Exception:  # noqa: BLE001 - keep stopping the others
                pass

    def __enter__(self) -> PolicyPacks:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

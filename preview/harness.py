"""The one way tests and the offline preview run Pulumi Python code under the fake AWS.

It avoids the mock traps listed in research/pulumi-anchors.md §2:
- a fresh asyncio event loop per ``mocked_pulumi`` block, closed afterwards (pending tasks cancelled);
- ``dry_run=False`` by default, so every ``apply`` runs and assertion errors inside applies surface;
  ``dry_run=True`` makes ``pulumi.runtime.is_dry_run()`` true as at a ``pulumi preview`` (the fake
  still answers every value, so applies still run; ``preview.phases`` derives what is unknown);
- config set as the engine does, with ``pulumi.runtime.set_all_config`` and ``<project>:<key>``
  keys (all values strings; lists and dicts JSON);
- the program runs inside ``pulumi.runtime.stack.run_in_stack`` as the language host runs it, so a
  root ``Stack`` exists, ``pulumi.export`` works, stack transforms can be registered at top level,
  and the run waits for every RPC and output (in a few passes rather than one per completed output:
  ``_AsyncioWaitingForAll``);
- afterwards ``reset_options()``, empty config and the previous ``OFFLINE_PREVIEW`` value, so two
  runs in one process with the same resource names are independent.

While code runs under the harness ``OFFLINE_PREVIEW=1`` is set (the Lambda packaging uses it to skip
building third-party dependencies).

Usage in tests (the intended fixture for ``tests/conftest.py``)::

    import pytest
    from preview.harness import mocked_pulumi

    @pytest.fixture
    def pulumi_env():
        with mocked_pulumi("blueprints", "dev", config={"aws:region": "us-east-1"}) as env:
            yield env

    def test_bucket_is_private(pulumi_env):
        def program():
            bucket = aws.s3.Bucket("logs")
            return bucket.arn                     # returned Outputs are resolved into .value
        result = pulumi_env.run(program)
        assert result.value == "arn:aws:s3:::" + result.named("logs").id
        assert result.of_type("aws:s3/bucket:Bucket")[0].region == "us-east-1"

A ``@pulumi.runtime.test``-style body (returns an Output whose ``apply`` asserts) runs with
``pulumi_env.run_test(body)``; a failing assertion inside the apply is raised from it.
``@pulumi.runtime.test``-decorated functions themselves also work inside ``mocked_pulumi``.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import json
import logging
import os
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from inspect import isawaitable
from typing import Any, ClassVar, Optional

import pulumi
import pulumi.runtime
from google.protobuf import empty_pb2
from pulumi.runtime import MockResourceArgs, rpc, settings
from pulumi.runtime.mocks import MockEngine, MockMonitor, MockSettings, _resolve_callbacks
from pulumi.runtime.proto import engine_pb2, resource_pb2
from pulumi.runtime.stack import Stack, run_in_stack, wait_for_rpcs
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from .fake_aws import FakeAws, ResourceRecord, plain
from .records import LogRecord

__all__ = [
    "LogRecord",
    "MockedPulumi",
    "RecordingMonitor",
    "RunResult",
    "engine_config",
    "mocked_pulumi",
]

STACK_TYPE = "pulumi:pulumi:Stack"
# The globals of the SDK module whose ``wait_for_rpcs`` the harness speeds up (``_AsyncioWaitingForAll``
# replaces its ``asyncio`` during a ``mocked_pulumi`` block).
_SDK_STACK_GLOBALS: dict[str, Any] = run_in_stack.__globals__


class _AsyncioWaitingForAll(types.ModuleType):
    """``asyncio`` as ``pulumi.runtime.stack`` sees it under the harness, with one change. The SDK's
    ``wait_for_rpcs`` waits for the outstanding outputs with ``asyncio.wait(pending, FIRST_COMPLETED)``
    in a loop: one call per completion, each registering and removing a callback on every pending
    output (cpython#74741), which is quadratic when outputs complete one by one (40 % of the prod
    program's run, 13,000 outputs pending). Here that call returns when all are done or one failed
    (FIRST_EXCEPTION): the loop still awaits every output and raises the same first error."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait(fs: Any, *, timeout: Optional[float] = None, return_when: str = asyncio.ALL_COMPLETED) -> Any:
        if return_when == asyncio.FIRST_COMPLETED:
            return_when = asyncio.FIRST_EXCEPTION
        return await asyncio.wait(fs, timeout=timeout, return_when=return_when)


class RecordedResourceArgs(MockResourceArgs):
    """``MockResourceArgs`` plus what the engine knows about a registration."""

    def __init__(
        self,
        *,
        urn: str,
        parent: str,
        remote: bool,
        dependencies: list[str],
        property_dependencies: dict[str, list[str]],
        options: dict,
        version: str = "",
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self.urn = urn
        self.parent = parent
        self.remote = remote
        self.dependencies = dependencies
        self.property_dependencies = property_dependencies
        self.version = version  # the package version the SDK asks for (names the default provider)
        self.options = options


def _options_of(request: Any) -> dict:
    timeouts = request.customTimeouts
    return {
        "protect": bool(request.protect) if request.HasField("protect") else False,
        "ignoreChanges": list(request.ignoreChanges),
        "deleteBeforeReplace": bool(request.deleteBeforeReplace),
        "retainOnDelete": bool(request.retainOnDelete) if request.HasField("retainOnDelete") else False,
        "additionalSecretOutputs": list(request.additionalSecretOutputs),
        "aliases": list(request.aliasURNs),
        "customTimeouts": {"create": timeouts.create, "update": timeouts.update, "delete": timeouts.delete},
        "replaceOnChanges": list(request.replaceOnChanges),
    }


class RecordingMonitor(MockMonitor):
    """A ``MockMonitor`` that gives ``FakeAws`` the URN, parent, dependencies and options of each
    registration (recorded in ``FakeAws.records``), and keeps the stack outputs."""

    mocks: FakeAws

    def __init__(self, mocks: FakeAws):
        super().__init__(mocks)
        self.stack_urn: Optional[str] = None
        self.stack_outputs: dict = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # As the engine does: the root stack is not part of its children's type chain.
        if parent and parent.split("::")[2] == STACK_TYPE:
            parent = ""
        return super().make_urn(parent, type_, name)

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)

        _ensure_event_loop()
        inputs = rpc.deserialize_properties(request.object)
        resource_args = RecordedResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=inputs,
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
            transforms=_resolve_callbacks(request.transforms),
            urn=urn,
            parent=request.parent or None,
            remote=bool(request.remote),
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            options=_options_of(request),
            version=request.version,
        )
        id_, state = self.mocks.new_resource(resource_args)
        obj_proto = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=id_ or "", object=obj_proto)

    def Invoke(self, request):  # noqa: N802
        # Children the fake creates for awsx components are resolvable by URN like real ones.
        if request.tok == "pulumi:pulumi:getResource":
            _ensure_event_loop()
            urn = rpc.deserialize_properties(request.args).get("urn")
            if urn not in self.resources:
                record = self.mocks._by_urn.get(urn)
                if record is not None:
                    self.resources[urn] = MockMonitor.ResourceRegistration(urn, record.id or "", record.outputs)
        return super().Invoke(request)

    def ReadResource(self, request):  # noqa: N802
        _ensure_event_loop()
        urn = self.make_urn(request.parent, request.type, request.name)
        state = rpc.deserialize_properties(request.properties)
        resource_args = RecordedResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=state,
            provider=request.provider,
            resource_id=request.id,
            custom=True,
            urn=urn,
            parent=request.parent or None,
            remote=False,
            dependencies=list(request.dependencies),
            property_dependencies={},
            options={"read": True},
            version=request.version,
        )
        id_, state = self.mocks.new_resource(resource_args)
        props_proto = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, state)
        return resource_pb2.ReadResourceResponse(urn=urn, properties=props_proto)

    def RegisterResourceOutputs(self, request):  # noqa: N802
        _ensure_event_loop()
        outputs = plain(rpc.deserialize_properties(request.outputs)) if request.outputs else {}
        if request.urn == self.stack_urn or STACK_TYPE in request.urn.split("::")[2:3]:
            self.stack_outputs = outputs
        else:
            self.mocks.set_component_outputs(request.urn, outputs)
        return empty_pb2.Empty()


class RecordingEngine(MockEngine):
    """Keeps what the program logs (``pulumi.log.warn`` etc.) for the report."""

    _SEVERITY: ClassVar[dict[int, str]] = {
        engine_pb2.DEBUG: "debug",
        engine_pb2.INFO: "info",
        engine_pb2.WARNING: "warning",
        engine_pb2.ERROR: "error",
    }

    def __init__(self) -> None:
        super().__init__(logging.getLogger("preview.program"))
        self.messages: list[LogRecord] = []

    def Log(self, request):  # noqa: N802
        self.messages.append(LogRecord(self._SEVERITY.get(request.severity, "info"), request.message, request.urn))
        return super().Log(request)


@dataclasses.dataclass
class RunResult:
    """What one program run registered."""

    resources: list[ResourceRecord]  # every registration of this run (components and providers too)
    outputs: dict  # the stack outputs (pulumi.export)
    value: Any  # what the program callable returned, with Outputs resolved
    warnings: list[str]  # fake AWS warnings (unknown invokes...)
    logs: list[LogRecord]

    def of_type(self, token: str) -> list[ResourceRecord]:
        return [r for r in self.resources if r.type == token]

    def named(self, name: str, token: Optional[str] = None) -> ResourceRecord:
        found = [r for r in self.resources if r.name == name and (token is None or r.type == token)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}" + (f" of type {token}" if token else ""))
        return found[0]

    def children_of(self, parent: ResourceRecord) -> list[ResourceRecord]:
        return [r for r in self.resources if r.parent == parent.urn]


def engine_config(project: str, config: Optional[Mapping[str, Any]]) -> dict[str, str]:
    """Config as the engine hands it to a program: ``<project>:<key>`` keys, string values,
    lists/dicts as JSON, booleans as ``true``/``false``."""
    out: dict[str, str] = {}
    for key, value in (config or {}).items():
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, str):
            out[full] = value
        elif isinstance(value, bool):
            out[full] = "true" if value else "false"
        elif isinstance(value, (int, float)):
            out[full] = str(value)
        else:
            out[full] = json.dumps(value)
    return out


class MockedPulumi:
    """Handle yielded by ``mocked_pulumi``: run programs, inspect what they registered."""

    def __init__(
        self,
        project: str,
        stack: str,
        fake: FakeAws,
        monitor: RecordingMonitor,
        engine: RecordingEngine,
        loop: asyncio.AbstractEventLoop,
    ):
        self.project = project
        self.stack = stack
        self.fake = fake
        self.monitor = monitor
        self.engine = engine
        self.loop = loop

    @property
    def records(self) -> list[ResourceRecord]:
        return self.fake.records

    def run(self, program: Callable[[], Any]) -> RunResult:
        """Run ``program`` as a Pulumi program (inside a root Stack) and wait until every resource
        registration, output and apply has finished. Exceptions raised by the program or inside an
        ``apply`` propagate. Returns the registrations of this run, the stack outputs and the
        resolved value the program returned."""
        start = len(self.fake.records)
        log_start = len(self.engine.messages)
        warn_start = len(self.fake.warnings)
        self.monitor.stack_outputs = {}
        holder: dict[str, Any] = {}

        async def resolve(value: Any) -> None:
            holder["value"] = await pulumi.Output.from_input(value).future()

        def body() -> Any:
            value = program()
            if value is None:
                return None
            if isinstance(value, pulumi.Output) or isawaitable(value) or isinstance(value, (dict, list)):
                return resolve(value)
            holder["value"] = value
            return None

        settings.SETTINGS.rpc_manager.clear()
        settings.SETTINGS.outputs.clear()
        # The program gets its own root Stack: run it in a context where no root is set yet.
        context = contextvars.copy_context()
        context.run(settings.ROOT.set, None)
        task = self.loop.create_task(run_in_stack(body), context=context)
        try:
            self.loop.run_until_complete(task)
        finally:
            _cancel_pending(self.loop)
        return RunResult(
            resources=stable_order(self.fake.records[start:]),
            outputs=dict(self.monitor.stack_outputs),
            value=holder.get("value"),
            warnings=self.fake.warnings[warn_start:],
            logs=self.engine.messages[log_start:],
        )

    def run_test(self, body: Callable[[], Any]) -> Any:
        """Run a ``@pulumi.runtime.test``-style body (it usually returns an Output whose apply
        asserts) and return the resolved value; failures inside applies are raised."""
        return self.run(body).value


def stable_order(records: list[ResourceRecord]) -> list[ResourceRecord]:
    """Registrations arrive in whatever order their inputs resolve (the SDK registers from a thread
    pool); give them a reproducible one: parents and dependencies first, ties by URN."""
    import heapq

    by_urn = {r.urn: r for r in records if r.urn}
    if len(by_urn) != len(records):
        return list(records)
    needs = {urn: {d for d in ([r.parent] + r.dependencies) if d in by_urn and d != urn} for urn, r in by_urn.items()}
    dependents: dict[str, list[str]] = {}
    for urn, deps in needs.items():
        for dep in deps:
            dependents.setdefault(dep, []).append(urn)
    ready = [urn for urn, deps in needs.items() if not deps]
    heapq.heapify(ready)
    ordered: list[ResourceRecord] = []
    while ready:
        urn = heapq.heappop(ready)
        ordered.append(by_urn[urn])
        for child in dependents.get(urn, []):
            needs[child].discard(urn)
            if not needs[child]:
                heapq.heappush(ready, child)
    if len(ordered) != len(records):  # a cycle cannot happen in a real program; keep everything anyway
        seen = {id(r) for r in ordered}
        ordered.extend(r for r in records if id(r) not in seen)
    return ordered


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(BaseException):
            loop.run_until_complete(task)


@contextmanager
def mocked_pulumi(
    project: str = "project",
    stack: str = "dev",
    config: Optional[Mapping[str, Any]] = None,
    fake: Optional[FakeAws] = None,
    *,
    secret_keys: Optional[list[str]] = None,
    organization: str = "organization",
    root_directory: Optional[str] = None,
    dry_run: bool = False,
) -> Iterator[MockedPulumi]:
    """Configure the Pulumi runtime to run against ``fake`` (a new ``FakeAws`` by default) for
    ``project``/``stack`` with ``config`` (keys without a namespace get ``<project>:``), yield a
    ``MockedPulumi``, and leave the process's Pulumi state clean afterwards."""
    fake = fake if fake is not None else FakeAws()
    monitor = RecordingMonitor(fake)
    engine = RecordingEngine()
    previous_offline = os.environ.get("OFFLINE_PREVIEW")
    # As the language host does: failed outputs are raised by the run, not logged by asyncio.
    asyncio_logger = logging.getLogger("asyncio")
    previous_level = asyncio_logger.level
    asyncio_logger.setLevel(logging.CRITICAL)
    previous_loop = _current_loop()
    stack_asyncio = _SDK_STACK_GLOBALS["asyncio"]
    _SDK_STACK_GLOBALS["asyncio"] = _AsyncioWaitingForAll("asyncio")
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    os.environ["OFFLINE_PREVIEW"] = "1"
    try:
        settings.reset_options(
            project=project, stack=stack, preview=dry_run, organization=organization, root_directory=root_directory
        )
        pulumi.runtime.set_all_config(
            engine_config(project, config), [k if ":" in k else f"{project}:{k}" for k in secret_keys or []]
        )
        mock_settings = MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
            engine=engine,
            project=project,
            stack=stack,
            dry_run=dry_run,
            organization=organization,
            callbacks=None,
            root_directory=root_directory,
        )
        settings.configure(mock_settings)
        # Like set_mocks: a root stack for code that registers resources outside ``run``
        # (e.g. functions decorated with @pulumi.runtime.test).
        root = Stack()
        root._finish()
        # Let the placeholder's registrations land now. Its empty outputs go under the same URN as a
        # run's Stack, on the SDK's thread pool: left pending, they could land after a run's exports
        # and erase them.
        loop.run_until_complete(wait_for_rpcs())
        yield MockedPulumi(project, stack, fake, monitor, engine, loop)
    finally:
        try:
            _cancel_pending(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            asyncio.set_event_loop(previous_loop)
            _SDK_STACK_GLOBALS["asyncio"] = stack_asyncio
            settings.reset_options()
            pulumi.runtime.set_all_config({}, [])
            asyncio_logger.setLevel(previous_level)
            if previous_offline is None:
                os.environ.pop("OFFLINE_PREVIEW", None)
            else:
                os.environ["OFFLINE_PREVIEW"] = previous_offline


def _current_loop() -> Optional[asyncio.AbstractEventLoop]:
    """The thread's current event loop if one is set and usable, without creating one."""
    policy = asyncio.get_event_loop_policy()
    local = getattr(policy, "_local", None)
    loop = getattr(local, "_loop", None)
    if loop is not None and not loop.is_closed():
        return loop
    return None

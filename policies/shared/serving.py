"""How every pack serves its policies: a pack's ``__main__.py`` calls :func:`prepare` before
``PolicyPack(...)`` starts the Analyzer server.

Why it is more than ``PolicyPack(...)``
---------------------------------------
pulumi-policy 1.21.0 converts each resource again for *every* policy: ``Analyze`` runs
``deserialize_properties(json_format.MessageToDict(request.properties))`` inside its loop over the
resource policies, ``AnalyzeStack`` the same for every resource inside its loop over the stack
policies, and both convert the resource's provider the same way (``_get_provider_resource``)
(pulumi_policy/policy.py; unchanged upstream at pulumi/pulumi-policy 805bcbc, July 2026, and the
Node.js SDK's server.ts does the same). With 58 policies at 10,000 resources that conversion was
most of the pack's time, in proportion to the number of policies, while the rules' own work is small.

:func:`install` keeps the SDK's per-rule policies (their names and levels are what the engine shows
and configures) and memoises, for the length of one request, each step the SDK repeats per policy:
``MessageToDict``, ``deserialize_properties``, ``unknown_checking_proxy``, ``_get_resource_options``
and ``_get_provider_resource``. Each message is converted once and every policy of the request gets
the same proxied props, options and provider. Policies must therefore treat ``args.props`` as read
only (a write would be seen by the next policy; the SDK gives such writes no meaning, and every rule
here copies the props with ``values.plain``). The memo is keyed by the object it was given and holds
it, so no other object can take its id during the request; it is per thread (the SDK serves requests
on a thread pool) and dropped when the request returns. ``_configure_runtime_settings``, which the
SDK runs at the start of every request (inspecting signatures each time), runs again only when the
variables it reads change.

It patches the SDK's module, so it is narrow and checked: only pulumi-policy 1.21.0 (the version
``uv.lock`` pins, whose code is described above) is patched; on any other version :func:`install`
changes nothing, says so on stderr, and the pack runs as the SDK runs it, only slower.

The garbage collector: a large stack makes hundreds of thousands of short-lived, acyclic objects per
request, and with the default thresholds the cyclic collector rescans the growing heap over and over
(AnalyzeStack grew faster than the stack). Freezing what the imports built, collecting the young
generation less often, and pausing the collector for the one AnalyzeStack request keep the time
close to linear (https://docs.python.org/3/library/gc.html#gc.freeze, #gc.set_threshold).

Resource types: the SDK calls every resource policy for every resource (``Analyze`` loops over all of
them, and a policy that checks one type returns at once for the others), so a request's cost grew
with the number of policies, not with those that look at the resource. A pack marks a policy with
:func:`applies_only_to` when its ``validate`` does nothing (no violation, no diagnostic, no
not-applicable) for resources of other types; while ``Analyze`` runs, the servicer's policy list is
the policies that can apply to the request's type (every unmarked one included). The list is chosen
per thread, so the SDK's other requests (``AnalyzeStack``, ``GetAnalyzerInfo``, ``Remediate``) see
every policy as before.

The Pulumi CLI runs a pack from its own directory, so each pack links this file into its own
package (``policies/<pack>/<pack>_rules/serving.py -> ../../shared/serving.py``).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

SUPPORTED_VERSION = "1.21.0"  # the pin in uv.lock; the patch below is written against its policy.py

# The young generation is collected after this many allocations (default 700), the older ones rarely.
GC_THRESHOLDS = (100_000, 50, 1_000)

# What ``_configure_runtime_settings`` reads (pulumi_policy/policy.py; pulumi/runtime/config.py
# ``get_config_env``): its effect depends on these variables only.
RUNTIME_ENVIRONMENT = ("PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION")

# The attribute :func:`applies_only_to` sets on a policy: the resource types its ``validate`` inspects.
RESOURCE_TYPES = "blueprints_resource_types"

# The servicer's own (name-mangled) attribute holding the pack's policies (pulumi_policy/policy.py
# ``_PolicyAnalyzerServicer.__init__``: ``self.__policies = policies``).
_POLICIES = "_PolicyAnalyzerServicer__policies"

_thread = threading.local()  # .memo while a request runs; .resource_type while Analyze runs; .environment
_patched: list[tuple[Any, str, Any]] = []  # (owner, attribute, the SDK's original) while installed


def _sdk_version() -> str:
    from pulumi_policy.version import VERSION

    return VERSION


def _memoised(step: Callable[..., Any], method: bool = False) -> Callable[..., Any]:
    """``step(value)`` (``step(servicer, message)`` for a method) computed once per ``value`` object
    during a request; outside a request, or with more arguments (``Remediate`` asks for secrets kept
    as they are), the SDK's own step. The value is held by the memo, so no other object can take its
    id while the request runs."""

    @functools.wraps(step)
    def memoised(*args: Any, **kwargs: Any) -> Any:
        memo = getattr(_thread, "memo", None)
        if memo is None or kwargs or len(args) != 1 + method:
            return step(*args, **kwargs)
        value = args[-1]
        key = (step, id(value))
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (value, step(*args))
        return hit[1]

    return memoised


def applies_only_to(policy: Any, types: Iterable[str]) -> Any:
    """Marks ``policy`` as one whose ``validate`` does nothing for resources of any type outside
    ``types``, so ``Analyze`` need not call it for them. Returns the policy."""
    setattr(policy, RESOURCE_TYPES, frozenset(types))
    return policy


_by_type: dict[tuple[int, str], tuple[list[Any], list[Any]]] = {}  # (id(all), type) -> (all, those that apply)


def _policies_for(everything: list[Any], resource_type: str) -> list[Any]:
    """The policies of ``everything`` that can apply to ``resource_type``, in the pack's order (the
    order of the SDK's findings), computed once per list and type. Holding the list keeps its id."""
    key = (id(everything), resource_type)
    hit = _by_type.get(key)
    if hit is None or hit[0] is not everything:
        applicable = [p for p in everything if resource_type in getattr(p, RESOURCE_TYPES, (resource_type,))]
        hit = _by_type[key] = (everything, applicable)
    return hit[1]


def _servicer_policies(servicer: Any) -> list[Any]:
    """The servicer's policy list as the SDK reads it: while this thread runs ``Analyze``, only those
    that can apply to the request's type."""
    everything = servicer.__dict__[_POLICIES]
    resource_type = getattr(_thread, "resource_type", None)
    return everything if resource_type is None else _policies_for(everything, resource_type)


def _set_servicer_policies(servicer: Any, policies: list[Any]) -> None:
    servicer.__dict__[_POLICIES] = policies


def per_request(key: str, build: Callable[[], Any]) -> Any:
    """A value a pack derives from the request, built once for all its policies: every stack policy of
    one ``AnalyzeStack`` sees the same resources, so an index of them can be shared. Outside a
    request (a test calling a policy directly), or without the memo, it is built every time."""
    memo = getattr(_thread, "memo", None)
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _per_request(
    handler: Callable[..., Any], pause_collector: bool = False, by_type: bool = False
) -> Callable[..., Any]:
    """A servicer method that runs with a fresh memo and drops it when it returns. With ``by_type``
    the servicer's policies are those that can apply to the request's resource type. With
    ``pause_collector`` the cyclic collector waits until the request is over: AnalyzeStack holds the
    whole stack while it makes millions of short-lived, acyclic objects, and collections meanwhile
    only rescan what is still in use (measured: its time then grows with the stack, 4x for 4x).
    Reference counting still frees everything as usual (https://docs.python.org/3/library/gc.html)."""

    @functools.wraps(handler)
    def run(self: Any, request: Any, context: Any) -> Any:
        if getattr(_thread, "memo", None) is not None:  # already inside a request on this thread
            return handler(self, request, context)
        _thread.memo = {}
        if by_type:
            _thread.resource_type = request.type
        paused = pause_collector and gc.isenabled()
        if paused:
            gc.disable()
        try:
            return handler(self, request, context)
        finally:
            _thread.memo = None
            _thread.resource_type = None
            if paused:
                gc.enable()

    return run


def _once_per_environment(configure: Callable[[Any], None]) -> Callable[[Any], None]:
    """``_configure_runtime_settings`` again only when its environment changed. Per thread: the
    runtime settings it sets are context variables (pulumi/runtime/settings.py ``configure``), and
    each of the server's worker threads has its own context."""

    @functools.wraps(configure)
    def run(self: Any) -> None:
        environment = (id(self), tuple(os.environ.get(name) for name in RUNTIME_ENVIRONMENT))
        if getattr(_thread, "environment", None) != environment:
            configure(self)
            _thread.environment = environment

    return run


class _JsonFormat:
    """``google.protobuf.json_format`` as the SDK's policy module sees it, with ``MessageToDict``
    memoised (every other name is the module's own)."""

    def __init__(self, module: Any):
        self._module = module
        self.MessageToDict = _memoised(module.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


_ABSENT = object()  # what _patched records for an attribute the owner did not have


def _patch(owner: Any, name: str, replacement: Any) -> None:
    _patched.append((owner, name, getattr(owner, name, _ABSENT)))
    setattr(owner, name, replacement)


def install() -> bool:
    """Convert each message once per request (see the module docstring). True when active; False,
    with a note on stderr, when the installed pulumi-policy is not the version this was written for."""
    from pulumi_policy import policy

    if _patched:
        return True
    servicer = policy._PolicyAnalyzerServicer
    if getattr(servicer.Analyze, "__wrapped__", None) is not None:
        return True  # installed by another copy of this module (each pack links it; tests load several)
    version = _sdk_version()
    if version != SUPPORTED_VERSION:
        print(
            f"policy pack: pulumi-policy {version} is not {SUPPORTED_VERSION}; serving without the "
            "per-request conversion memo (same findings, slower on large stacks)",
            file=sys.stderr,
        )
        return False
    _patch(policy, "json_format", _JsonFormat(policy.json_format))
    for name in ("deserialize_properties", "unknown_checking_proxy"):
        _patch(policy, name, _memoised(getattr(policy, name)))
    for name in ("_get_resource_options", "_get_provider_resource"):
        _patch(servicer, name, _memoised(getattr(servicer, name), method=True))
    _patch(servicer, "_configure_runtime_settings", _once_per_environment(servicer._configure_runtime_settings))
    _patch(servicer, _POLICIES, property(_servicer_policies, _set_servicer_policies))
    _patch(servicer, "Analyze", _per_request(servicer.Analyze, by_type=True))
    _patch(servicer, "AnalyzeStack", _per_request(servicer.AnalyzeStack, pause_collector=True))
    return True


def installed() -> bool:
    return bool(_patched)


def uninstall() -> None:
    """Put the SDK back as it was (tests compare findings with and without the memo)."""
    while _patched:
        owner, name, original = _patched.pop()
        if original is _ABSENT:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


def tune_gc() -> None:
    """Fewer cyclic collections for a short-lived server that allocates much and makes few cycles."""
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def prepare() -> None:
    """Everything a pack's server needs before ``PolicyPack(...)`` starts it: the conversion memo
    and the collector's thresholds."""
    install()
    tune_gc()

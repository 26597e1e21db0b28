"""The machinery every rule shares: plain properties with explicit unknowns, findings, reasoned
exceptions, config with in-code defaults, and the wrapper that turns a rule's findings into
``report_violation`` calls.

A rule is a generator ``check(resource, config)`` (or ``check(stack, config)`` for stack rules)
that yields:

* :class:`Finding` - one per offending token (an action, a resource, a principal, a port...),
  naming where it is (``policy Statement[1] (Sid Read)``, ``ingress[0]``) and what to do;
* :class:`Undecided` - a value the rule needs is unknown (computed from resources that do not exist
  yet, as during a first preview). The rule keeps checking what it can; at the end the wrapper
  raises the SDK's ``UnknownValueError``, which the engine reports as an ADVISORY "can't run policy
  ... during preview" naming the values. Findings already made are kept. Under ``pulumi up`` the
  inputs are known, so the same rule then decides;
* :class:`NotApplicable` - the resource is of a checked type but out of the rule's scope (an S3
  gateway endpoint for the execute-api endpoint rule); reported with ``args.not_applicable``.

Unknown values mean what ``values.py`` (shared by every pack) says: :func:`plain` replaces each by an
:class:`Unknown` naming its path, and using one as if it were known raises :class:`Undecided` (the
SDK's ``UnknownValueError``), so a rule can never silently pass on a value it does not know.

Exceptions inside a rule are never lost: pulumi-policy 1.21.0 does not return them through gRPC, so
the wrapper reports them as a violation of the rule (at the rule's level: a mandatory rule fails
closed) with the error, and keeps the findings made before it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from ._options import text_option
from .reporting import Waiver, crash_message, exceptions_schema, glob_match, waivers  # noqa: F401 - re-exported
from .serving import applies_only_to
from .values import Undecided, Unknown, as_list, get, is_unknown, plain, truthy  # noqa: F401 - re-exported

# --- findings ---------------------------------------------------------------------------------


@dataclass(eq=False)  # identity: props may hold unknowns, which refuse comparison
class Res:
    """One resource as the rules see it: plain props, plus (stack rules) the URNs each property
    depends on, as the engine reports them."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    provider: dict[str, Any] | None = None
    property_dependencies: dict[str, frozenset[str]] = field(default_factory=dict)
    _identities: frozenset[str] | None = field(default=None, repr=False)

    @property
    def short_type(self) -> str:
        return self.type.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Finding:
    """One offending token. ``subject`` narrows it (the action a ``Resource::*`` is granted for)."""

    token: str
    where: str
    message: str
    subject: str | None = None
    waivable: bool = True
    resource: Res | None = None  # stack rules: the resource at fault

    @property
    def qualified_token(self) -> str:
        return f"{self.token}[{self.subject}]" if self.subject else self.token


@dataclass(frozen=True)
class NotApplicable:
    reason: str


Item = Finding | Undecided | NotApplicable


# --- exceptions (waivers): reviewed, with reasons, as every pack takes them (reporting.py) -------

EXAMPLE_TOKENS = "`Action::s3:*`, or `Resource::*[xray:PutTraceSegments]`"


# --- config ---------------------------------------------------------------------------------

_VALIDATED: dict[tuple[str, str], RuleConfig] = {}


class RuleConfig(Mapping):
    """The rule's config with the schema defaults applied in code (the engine fills them, the SDK
    does not), validated against the schema."""

    def __init__(self, raw: Mapping[str, Any] | None, properties: Mapping[str, Mapping[str, Any]]):
        given = dict(raw or {})
        jsonschema.validate(given, {"type": "object", "properties": dict(properties)})
        self._values = {key: spec.get("default") for key, spec in properties.items()}
        self._values.update(given)

    @classmethod
    def cached(
        cls, rule: str, raw: Mapping[str, Any] | None, properties: Mapping[str, Mapping[str, Any]]
    ) -> RuleConfig:
        """The same config is validated once, not once per resource (jsonschema was most of the
        pack's time per resource). Invalid config is not cached, so it is reported every time."""
        key = (rule, json.dumps(raw or {}, sort_keys=True, default=str))
        config = _VALIDATED.get(key)
        if config is None:
            config = _VALIDATED[key] = cls(raw, properties)
        return config

    def __getitem__(self, key):
        return self._values[key]

    def __iter__(self):
        return iter(self._values)

    def __len__(self):
        return len(self._values)


# --- what the stack declares ------------------------------------------------------------------

PROTECTION_CONFIG = {
    "protectionConfigKey": text_option(
        "protectStatefulResources",
        "The program's config key (any project) that declares the stack's data protected; the rule "
        "is mandatory there and not applicable elsewhere.",
    )
}


def stack_declares_protection(cfg: Mapping[str, Any]) -> bool:
    """Whether the program's config sets ``protectionConfigKey`` to true. Analyzers receive the
    program's config as PULUMI_CONFIG ("<project>:<key>" -> value), which the SDK reads the same way
    (pulumi_policy/policy.py ``_configure_runtime_settings`` -> ``pulumi.runtime.get_config_env``)."""
    from pulumi.runtime import get_config_env

    key = cfg["protectionConfigKey"]
    for name, value in get_config_env().items():
        if name == key or name.endswith(":" + key):
            return str(value).strip().lower() == "true"
    return False


# --- the rules ------------------------------------------------------------------------------

# What a rule is unless its declaration says otherwise: a least-privilege finding fails the stack.
DEFAULT_LEVEL = EnforcementLevel.MANDATORY
DEFAULT_SEVERITY = Severity.HIGH


@dataclass
class Rule:
    """A rule's metadata and check; ``policy`` is the pulumi-policy object the pack serves."""

    name: str
    description: str
    level: EnforcementLevel
    check: Callable[..., Iterable[Item]]
    config: dict[str, dict[str, Any]]
    types: frozenset[str] | None  # None: a stack rule
    severity: Severity
    policy: ResourceValidationPolicy | StackValidationPolicy = field(init=False)
    anchors: tuple[str, ...] = ()  # the anchors' check ids this rule covers (ANCHORS in anchors.py)
    level_reason: str = ""  # why config/<stack>.json changed the level, shown with every finding

    @property
    def kind(self) -> str:
        return "stack" if self.types is None else "resource"


def _fmt(finding: Finding, res: Res | None) -> str:
    target = finding.resource or res
    who = f"{target.name} ({target.short_type})" if target else "stack"
    return f"{who}: {finding.token} at {finding.where}: {finding.message}"


def _run(
    rule: Rule,
    raw_config: Mapping[str, Any] | None,
    res: Res | None,
    produce: Callable[[RuleConfig], Iterable[Item]],
    report: Callable[[str, Res | None], None],
    all_resources: Callable[[], Sequence[Res]],
) -> str | None:
    """Runs one check; reports findings, waiver problems and internal errors. Returns why the rule
    does not apply (when it found nothing), else None. Raises ``UnknownValueError`` (-> advisory) when
    something stayed undecided."""
    try:
        config = RuleConfig.cached(rule.name, raw_config, rule.config)
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        report(
            f"the config of {rule.name} is invalid at {where}: {error.message}. Fix the policy pack config; "
            "the rule did not run.",
            None,
        )
        return None

    found: list[Finding] = []
    undecided: list[Undecided] = []
    skipped: list[NotApplicable] = []
    crash = None
    try:
        for item in produce(config):
            if isinstance(item, Finding):
                found.append(item)
            elif isinstance(item, Undecided):
                undecided.append(item)
            elif isinstance(item, NotApplicable):
                skipped.append(item)
    except Undecided as stop:
        undecided.append(stop)
    except UnknownValueError as stop:
        undecided.append(Undecided(".".join(stop.props)))
    except Exception as error:  # noqa: BLE001 - reported, never swallowed
        crash = crash_message(rule.name, error, f"{res.name} ({res.short_type})" if res else "stack")

    rules_waivers = waivers(config.get("exceptions") or [], rule.name)
    broken = [w for w in rules_waivers if w.problem]
    usable = [w for w in rules_waivers if not w.problem]
    for finding in found:
        waived = finding.waivable and any(w.covers(finding, res) for w in usable)
        if not waived:
            note = "" if finding.waivable else " (this finding cannot be waived by an exception)"
            if rule.level_reason:
                note += f" [{rule.level.value} on this stack: {rule.level_reason}]"
            report(_fmt(finding, res) + note, finding.resource)
    for waiver in broken:
        relevant = any(waiver.covers(f, res) for f in found) or (
            waiver.token is None and any(waiver.targets(r) for r in all_resources())
        )
        if relevant:
            report(f"{waiver.describe()} of {rule.name} {waiver.problem}.", None)

    if crash:
        report(crash, None)
    if undecided:
        error = Undecided(undecided[0].path)
        error.message = _undecided_message(rule, undecided)
        raise error
    return skipped[0].reason if skipped and not (found or crash) else None


def _guarded(
    rule: Rule, validate: Callable[[Any, ReportViolation], str | None]
) -> Callable[[Any, ReportViolation], None]:
    """Reports an exception raised outside a rule's check (building its view of the resources) as a
    violation of the rule. ``validate`` returns the reason when the rule does not apply, and
    ``args.not_applicable`` (which raises the SDK's signal) is called only here, outside the guard;
    an unknown value (``UnknownValueError``) passes through to the SDK, which reports it as advisory."""

    def run(args: Any, report_violation: ReportViolation) -> None:
        try:
            skipped = validate(args, report_violation)
        except UnknownValueError:
            raise
        except Exception as error:  # noqa: BLE001 - reported, never swallowed
            report_violation(
                f"internal error in rule {rule.name}: {type(error).__name__}: {error}. The rule could "
                "not run; report this as a bug in the policy pack.",
                None,
            )
            return
        if skipped is not None:
            args.not_applicable(skipped)

    return run


def _undecided_message(rule: Rule, undecided: list[Undecided]) -> str:
    def label(u: Undecided) -> str:
        return (f"{u.resource.name}: " if u.resource else "") + u.path

    def listing(items: list[Undecided]) -> str:
        paths = sorted({label(u) for u in items})
        return ", ".join(paths[:6]) + (f" and {len(paths) - 6} more" if len(paths) > 6 else "")

    parts = []
    pending = [u for u in undecided if u.pending]
    if pending:
        whys = sorted({u.why for u in pending if u.why})
        parts.append(
            f"{rule.name} cannot decide until {listing(pending)} "
            f"{'is' if len(pending) == 1 else 'are'} known (computed from resources not created yet"
            f"{': ' + '; '.join(whys) if whys else ''}); it decides at `pulumi up`, when they are known"
        )
    for u in (u for u in undecided if not u.pending):
        parts.append(f"{rule.name} cannot decide {label(u)}: {u.why}")
    return ". ".join(parts) + "."


def resource_rule(
    *,
    name: str,
    description: str,
    types: Iterable[str],
    check: Callable[[Res, RuleConfig], Iterable[Item]],
    level: EnforcementLevel = DEFAULT_LEVEL,
    severity: Severity = DEFAULT_SEVERITY,
    config: dict[str, dict] | None = None,
    exceptions: Sequence[Mapping[str, str]] = (),
) -> Rule:
    """A rule on one resource's inputs. ``exceptions`` are the reviewed exceptions the pack ships (the
    default of the rule's ``exceptions`` config; a config that sets the list replaces them)."""
    rule = _declare(name, description, level, check, config, frozenset(types), severity, exceptions)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> str | None:
        if args.resource_type not in rule.types:
            return None
        provider = None
        if args.provider is not None:
            try:
                provider = plain(args.provider.props, "")
            except UnknownValueError:
                provider = None
        res = Res(args.resource_type, args.name, args.urn, plain(args.props, ""), provider)
        return _run(
            rule,
            args.get_config(),
            res,
            lambda cfg: check(res, cfg),
            lambda message, _res: report_violation(message, None),
            lambda: [res],
        )

    return _serve(rule, ResourceValidationPolicy, validate)


def _declare(
    name: str,
    description: str,
    level: EnforcementLevel,
    check: Callable[..., Iterable[Item]],
    config: dict[str, dict] | None,
    types: frozenset[str] | None,
    severity: Severity,
    exceptions: Sequence[Mapping[str, str]],
) -> Rule:
    """A rule's metadata; its config always takes ``exceptions`` (the shipped ones as the default)."""
    properties = {"exceptions": exceptions_schema(EXAMPLE_TOKENS, exceptions), **(config or {})}
    return Rule(name, description, level, check, properties, types, severity)


def _serve(
    rule: Rule,
    policy_type: type[ResourceValidationPolicy] | type[StackValidationPolicy],
    validate: Callable[[Any, ReportViolation], str | None],
) -> Rule:
    """Gives ``rule`` the pulumi-policy object the pack serves, its ``validate`` guarded."""
    rule.policy = policy_type(
        name=rule.name,
        description=rule.description,
        validate=_guarded(rule, validate),
        enforcement_level=rule.level,
        severity=rule.severity,
        config_schema=PolicyConfigSchema(properties=rule.config),
    )
    if rule.types is not None:  # its validate returns at once for any other type (resource_rule)
        applies_only_to(rule.policy, rule.types)
    return rule


class Stack:
    """The stack as stack rules see it. Views are built on demand, per type, so a rule costs time in
    proportion to the resources of the types it asks for, not to the size of the stack."""

    def __init__(self, resources: Iterable[Any]):
        self._by_type: dict[str, list[Any]] = defaultdict(list)
        for resource in resources:
            self._by_type[resource.resource_type].append(resource)
        self._views: dict[str, list[Res]] = {}
        self._lists: dict[tuple[str, ...], list[Res]] = {}
        self._indexes: dict[int, tuple[list[Res], dict[str, list[Res]]]] = {}
        self._memo: dict[str, Any] = {}

    def of_type(self, *types: str) -> list[Res]:
        """The resources of these types (the same list object for the same types: do not modify it)."""
        out = self._lists.get(types)
        if out is None:
            out = self._lists[types] = []
            for type_ in types:
                views = self._views.get(type_)
                if views is None:
                    views = self._views[type_] = [_view(r) for r in self._by_type.get(type_, ())]
                out.extend(views)
        return out

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A value derived from the stack, built once however many rules or loops ask for it."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @property
    def resources(self) -> list[Res]:
        """Every resource (builds every view: for the rare questions about the whole stack)."""
        return self.of_type(*self._by_type)

    def _index(self, candidates: Sequence[Res]) -> dict[str, list[Res]] | None:
        """identity -> candidates, built once for each list ``of_type`` returned; None for other lists."""
        cached = self._indexes.get(id(candidates))
        if cached is not None and cached[0] is candidates:
            return cached[1]
        if not any(candidates is listed for listed in self._lists.values()):
            return None
        index: dict[str, list[Res]] = defaultdict(list)
        for candidate in candidates:
            for identity in identities(candidate):
                index[identity].append(candidate)
        self._indexes[id(candidates)] = (candidates, index)  # type: ignore[arg-type]
        return index

    def referenced(self, res: Res, prop: str, candidates: Sequence[Res]) -> list[Res] | Unknown:
        """The candidates that ``res.props[prop]`` refers to: by the engine's property dependencies,
        else by value (an id, ARN or name the candidate carries). Unknown when neither can tell."""
        deps = res.property_dependencies.get(prop)
        if deps:
            return [c for c in candidates if c.urn in deps]
        values: set[str] = set()
        unknown: list[Unknown] = []
        _collect_strings(res.props.get(prop), values, unknown)
        index = self._index(candidates) if len(candidates) > 4 else None
        if index is not None:
            seen: dict[int, Res] = {}
            for value in values:
                for candidate in index.get(value, ()):
                    seen.setdefault(id(candidate), candidate)
            matched = list(seen.values())
        else:
            matched = [c for c in candidates if values & identities(c)]
        if not matched and unknown:
            return unknown[0]
        return matched


def _view(resource: Any) -> Res:
    provider = None
    if resource.provider is not None:
        try:
            provider = plain(resource.provider.props, "")
        except UnknownValueError:
            provider = None
    return Res(
        resource.resource_type,
        resource.name,
        resource.urn,
        plain(resource.props, ""),
        provider,
        {k: frozenset(d.urn for d in v) for k, v in resource.property_dependencies.items()},
    )


def _collect_strings(value: Any, out: set[str], unknown: list[Unknown]) -> None:
    if is_unknown(value):
        unknown.append(value)
    elif isinstance(value, str):
        out.add(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            _collect_strings(item, out, unknown)
    elif isinstance(value, list):
        for item in value:
            _collect_strings(item, out, unknown)


def identities(res: Res) -> frozenset[str]:
    """Strings other resources use to refer to ``res``: id, ARN, name, and the ARN's last segment."""
    if res._identities is None:
        found = set()
        for key in ("id", "arn", "name", "executionArn"):
            value = res.props.get(key)
            if isinstance(value, str):
                found.add(value)
                if key in ("arn", "executionArn"):
                    found.add(re.split(r"[/:]", value)[-1])
        res._identities = frozenset(found)
    return res._identities


def stack_rule(
    *,
    name: str,
    description: str,
    check: Callable[[Stack, RuleConfig], Iterable[Item]],
    level: EnforcementLevel = DEFAULT_LEVEL,
    severity: Severity = DEFAULT_SEVERITY,
    config: dict[str, dict] | None = None,
    exceptions: Sequence[Mapping[str, str]] = (),
) -> Rule:
    """A rule on the whole stack (relations between resources)."""
    rule = _declare(name, description, level, check, config, None, severity, exceptions)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> str | None:
        stack = Stack(args.resources)
        return _run(
            rule,
            args.get_config(),
            None,
            lambda cfg: check(stack, cfg),
            lambda message, res: report_violation(message, res.urn if res else None),
            lambda: stack.resources,
        )

    return _serve(rule, StackValidationPolicy, validate)


CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def apply_shipped_levels(rules: Sequence[Rule], stack: str, directory: Path = CONFIG_DIR) -> dict[str, str]:
    """Sets the default level of the rules ``config/<stack>.json`` names (``{rule: {enforcementLevel,
    reason}}``), for findings the program must fix but that should not fail the stack meanwhile. The
    engine (PULUMI_STACK names the stack for analyzers) still lets --policy-pack-config override them.
    Returns {rule: reason}."""
    path = directory / f"{stack}.json"
    if not stack or not path.is_file():
        return {}
    by_name = {rule.name: rule for rule in rules}
    problems, reasons = [], {}
    for name, entry in json.loads(path.read_text()).items():
        level = entry.get("enforcementLevel") if isinstance(entry, dict) else None
        reason = str(entry.get("reason") or "").strip() if isinstance(entry, dict) else ""
        if name not in by_name:
            problems.append(f"{name}: no such rule")
        elif level not in ("advisory", "mandatory", "disabled") or not reason:
            problems.append(f"{name}: give enforcementLevel (advisory, mandatory or disabled) and a reason")
        else:
            by_name[name].level = by_name[name].policy.enforcement_level = EnforcementLevel(level)
            by_name[name].level_reason = reasons[name] = reason
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return reasons


def required(value: Any, token: str, where: str, message: str) -> Iterator[Item]:
    """The commonest check: undecided while ``value`` is unknown, a finding when it is unset or false."""
    if is_unknown(value):
        yield Undecided(value.path)
    elif not value:
        yield Finding(token, where, message)


def forbidden(value: Any, token: str, where: str, message: str) -> Iterator[Item]:
    """Its mirror: undecided while ``value`` is unknown, a finding when it is set (true, non-empty)."""
    if is_unknown(value):
        yield Undecided(value.path)
    elif value:
        yield Finding(token, where, message)


def each_known(items: Iterable[Any]) -> Iterator[Any | Undecided]:
    """Items of a list, with unknown items turned into :class:`Undecided` (to yield and go on)."""
    for item in items:
        yield Undecided(item.path) if is_unknown(item) else item


def each_item(value: Any) -> Iterator[Any | Undecided]:
    """Items of a property that holds one value or a list (:func:`as_list`), unknown ones as
    :class:`Undecided`; a wholly unknown property is one :class:`Undecided`."""
    return each_known(as_list(value))


def rules_table(rules: Sequence[Rule]) -> str:
    """The README's rule table (a test keeps the README in step with the code)."""
    lines = [
        "| Rule | Kind | Default level | Config (default) | What it asks for | Anchor checks covered |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules:
        options = [
            f"`{key}` ({_short(spec.get('default'))})"
            for key, spec in rule.config.items()
            if key != "exceptions" or spec.get("default")
        ]
        anchors = ", ".join(rule.anchors) or "none of the anchors (beyond them)"
        lines.append(
            f"| `{rule.name}` | {rule.kind} | {rule.level.value} | "
            f"{', '.join(options) or '`exceptions` only'} | {_cell(rule.description)} | {anchors} |"
        )
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*")


def _short(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(isinstance(v, (str, int)) for v in value):
            return ", ".join(f"`{v}`" for v in value)
        return f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    return "`true`" if value is True else "`false`" if value is False else f"`{value}`"

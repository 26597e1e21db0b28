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

Unknown values are replaced by :class:`Unknown` markers before a rule runs (both the SDK's proxy,
under the engine, and raw sentinel strings, in hand-built test args). Touching a marker in a way that
needs its value (truth, equality, iteration, any attribute) raises :class:`Undecided`, so a rule can
never silently pass on a value it does not know.

Exceptions inside a rule are never lost: pulumi-policy 1.21.0 does not return them through gRPC, so
the wrapper reports them as a violation of the rule (at the rule's level: a mandatory rule fails
closed) with the error, and keeps the findings made before it.
"""

from __future__ import annotations

import json
import re
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeGuard

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
from pulumi_policy.policy import _NotApplicableError  # what args.not_applicable() raises
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

SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
                       UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE})


# --- unknown values ---------------------------------------------------------------------------

class Undecided(Exception):
    """A rule cannot decide because ``path`` is not known yet. Yield it (and go on) or raise it."""

    def __init__(self, path: str, why: str = "", resource: Res | None = None, pending: bool = True):
        super().__init__(path)
        self.path = path
        self.why = why
        self.resource = resource
        # pending: the value is computed and will be known at `pulumi up`; otherwise the rule lacks
        # information it will never get from the resource (``why`` says what to configure).
        self.pending = pending


class Unknown:
    """A value not known yet. Using it as if it were known raises :class:`Undecided`."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def _undecided(self, *_args: Any, **_kwargs: Any) -> Any:  # typed Any, not NoReturn: it stands in for any value
        raise Undecided(self.path)

    __bool__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _undecided
    __iter__ = __len__ = __contains__ = __getitem__ = __int__ = __float__ = _undecided
    __hash__ = object.__hash__

    def __getattr__(self, name):  # .get, .startswith, .lower... on an unknown: cannot decide
        if name.startswith("__"):
            raise AttributeError(name)
        raise Undecided(self.path)

    def __repr__(self):
        return f"<unknown {self.path}>"

    __str__ = __repr__


def is_unknown(value: Any) -> TypeGuard[Unknown]:
    return isinstance(value, Unknown)


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def plain(value: Any, path: str = "") -> Any:
    """Plain dicts and lists, with every unknown (proxied or a raw sentinel) as an :class:`Unknown`."""
    if isinstance(value, str):
        return Unknown(path) if value in SENTINELS else value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in value:  # iterating keys does not touch the (possibly unknown) values
            try:
                item = value[key]
            except UnknownValueError:
                out[key] = Unknown(_join(path, key))
                continue
            out[key] = plain(item, _join(path, key))
        return out
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                items.append(Unknown(_join(path, index)))
                continue
            items.append(plain(item, _join(path, index)))
        return items
    return value


def dig(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]...``: None when a key is missing, the :class:`Unknown` when one is unknown."""
    for key in keys:
        if value is None or is_unknown(value):
            return value
        if isinstance(key, int):
            value = value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
        elif isinstance(value, Mapping):
            value = value.get(key)
        else:
            return None
    return value


def as_list(value: Any) -> list:
    """A property that may be one value or a list, as a list (an unknown stays one unknown item)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def truthy(value: Any) -> bool:
    """Booleans that launch templates carry as strings ("true"/"false")."""
    if is_unknown(value):
        raise Undecided(value.path)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


# --- findings ---------------------------------------------------------------------------------

@dataclass(eq=False)  # identity: props may hold unknowns, which refuse comparison
class Res:
    """One resource as the rules see it: plain props, plus stack context for stack rules."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    provider: dict[str, Any] | None = None
    parent: Res | None = None
    dependencies: list[Res] = field(default_factory=list)
    property_dependencies: dict[str, list[Res]] = field(default_factory=dict)

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


def glob_match(pattern: str, text: str) -> bool:
    """Shell-style match where only ``*`` and ``?`` are wildcards (tokens contain ``[`` and ``:``)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


# --- exceptions (waivers) -------------------------------------------------------------------

EXCEPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "description": ("Reviewed exceptions: each {resource, token, reason} (an optional `rule` must name this "
                    "rule). `resource` is a glob on the resource's name or URN, `token` a glob on the finding's "
                    "token (e.g. `Action::s3:*`, or `Resource::*[xray:PutTraceSegments]`); at least one of them. "
                    "`reason` is required: an exception without one waives nothing and is reported as a "
                    "violation."),
    "items": {"type": "object", "additionalProperties": False,
              "properties": {"rule": {"type": "string"}, "resource": {"type": "string"},
                             "token": {"type": "string"}, "reason": {"type": "string"}}},
    "default": [],
}


@dataclass(frozen=True)
class Waiver:
    index: int
    resource: str | None
    token: str | None
    reason: str
    rule: str | None = None  # optional; must match the rule whose config lists the exception
    listed_under: str = ""

    @property
    def problem(self) -> str | None:
        if self.rule is not None and not glob_match(self.rule, self.listed_under):
            return (f"names rule {self.rule!r} but is listed under {self.listed_under}: move it to that rule's "
                    "exceptions")
        if not self.reason.strip():
            return "has no reason: write down why this is acceptable, or remove the exception"
        if not (self.resource or self.token):
            return "names neither a resource nor a token: it would waive everything"
        return None

    def targets(self, res: Res | None) -> bool:
        if self.resource is None:
            return True
        return res is not None and (glob_match(self.resource, res.name) or glob_match(self.resource, res.urn))

    def covers(self, finding: Finding, res: Res | None) -> bool:
        if not self.targets(finding.resource or res):
            return False
        return self.token is None or glob_match(self.token, finding.token) or glob_match(
            self.token, finding.qualified_token)

    def describe(self) -> str:
        parts = [f"resource={self.resource!r}" if self.resource else "", f"token={self.token!r}" if self.token else ""]
        return f"exception #{self.index} ({', '.join(p for p in parts if p) or 'no target'})"


def waivers(entries: Iterable[Mapping[str, Any]], rule: str) -> list[Waiver]:
    return [Waiver(i, e.get("resource") or None, e.get("token") or None, str(e.get("reason") or ""),
                   e.get("rule"), rule)
            for i, e in enumerate(entries)]


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
    def cached(cls, rule: str, raw: Mapping[str, Any] | None,
               properties: Mapping[str, Mapping[str, Any]]) -> RuleConfig:
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


# --- the rules ------------------------------------------------------------------------------

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

    @property
    def kind(self) -> str:
        return "stack" if self.types is None else "resource"


def _fmt(finding: Finding, res: Res | None) -> str:
    target = finding.resource or res
    who = f"{target.name} ({target.short_type})" if target else "stack"
    return f"{who}: {finding.token} at {finding.where}: {finding.message}"


def _run(rule: Rule, raw_config: Mapping[str, Any] | None, res: Res | None,
         produce: Callable[[RuleConfig], Iterable[Item]], report: Callable[[str, Res | None], None],
         all_resources: Sequence[Res]) -> list[NotApplicable]:
    """Runs one check; reports findings, waiver problems and internal errors. Raises
    ``UnknownValueError`` (-> advisory) when something stayed undecided."""
    try:
        config = RuleConfig.cached(rule.name, raw_config, rule.config)
    except jsonschema.ValidationError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        report(f"the config of {rule.name} is invalid at {where}: {error.message}. Fix the policy pack config; "
               "the rule did not run.", None)
        return []

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
        frame = traceback.extract_tb(error.__traceback__)[-1]
        subject = f"{res.name} ({res.short_type})" if res else "stack"
        crash = (f"{subject}: internal error in rule {rule.name}: {type(error).__name__}: {error} "
                 f"(at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}). The rule could not finish; "
                 "report this as a bug in the policy pack.")

    rules_waivers = waivers(config.get("exceptions") or [], rule.name)
    broken = [w for w in rules_waivers if w.problem]
    usable = [w for w in rules_waivers if not w.problem]
    for finding in found:
        waived = finding.waivable and any(w.covers(finding, res) for w in usable)
        if not waived:
            note = "" if finding.waivable else " (this finding cannot be waived by an exception)"
            report(_fmt(finding, res) + note, finding.resource)
    for waiver in broken:
        relevant = any(waiver.covers(f, res) for f in found) or (
            waiver.token is None and any(waiver.targets(r) for r in all_resources))
        if relevant:
            report(f"{waiver.describe()} of {rule.name} {waiver.problem}.", None)

    if crash:
        report(crash, None)
    if undecided:
        error = UnknownValueError(UNKNOWN_STRING_VALUE, [undecided[0].path])
        error.message = _undecided_message(rule, undecided)
        raise error
    return [] if (found or crash) else skipped


def _guarded(rule: Rule, validate: Callable[[Any, ReportViolation], None]) -> Callable[[Any, ReportViolation], None]:
    """Reports an exception raised outside a rule's check (building its view of the resources) as a
    violation of the rule; the SDK's own signals (unknown value, not applicable) pass through."""
    def run(args: Any, report_violation: ReportViolation) -> None:
        try:
            validate(args, report_violation)
        except (UnknownValueError, _NotApplicableError):
            raise
        except Exception as error:  # noqa: BLE001 - reported, never swallowed
            report_violation(f"internal error in rule {rule.name}: {type(error).__name__}: {error}. The rule could "
                             "not run; report this as a bug in the policy pack.", None)
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
        parts.append(f"{rule.name} cannot decide until {listing(pending)} "
                     f"{'is' if len(pending) == 1 else 'are'} known (computed from resources not created yet"
                     f"{': ' + '; '.join(whys) if whys else ''}); it decides at `pulumi up`, when they are known")
    for u in (u for u in undecided if not u.pending):
        parts.append(f"{rule.name} cannot decide {label(u)}: {u.why}")
    return ". ".join(parts) + "."


def _exceptions_schema(defaults: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    for entry in defaults:
        assert entry.get("reason"), "a shipped exception needs its reason"
    return {**EXCEPTIONS_SCHEMA, "default": [dict(e) for e in defaults]}


def resource_rule(*, name: str, description: str, types: Iterable[str], level: EnforcementLevel,
                  check: Callable[[Res, RuleConfig], Iterable[Item]], config: dict[str, dict] | None = None,
                  severity: Severity = Severity.HIGH, exceptions: Sequence[Mapping[str, str]] = ()) -> Rule:
    """A rule on one resource's inputs. ``exceptions`` are the reviewed exceptions the pack ships (the
    default of the rule's ``exceptions`` config; a config that sets the list replaces them)."""
    properties = {"exceptions": _exceptions_schema(exceptions), **(config or {})}
    rule = Rule(name, description, level, check, properties, frozenset(types), severity)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        provider = None
        if args.provider is not None:
            try:
                provider = plain(args.provider.props)
            except UnknownValueError:
                provider = None
        res = Res(args.resource_type, args.name, args.urn, plain(args.props), provider)
        skipped = _run(rule, args.get_config(), res, lambda cfg: check(res, cfg),
                       lambda message, _res: report_violation(message, None), [res])
        if skipped:
            args.not_applicable(skipped[0].reason)

    rule.policy = ResourceValidationPolicy(
        name=name, description=description, validate=_guarded(rule, validate), enforcement_level=level,
        severity=severity,
        config_schema=PolicyConfigSchema(properties=properties))
    return rule


@dataclass
class Stack:
    resources: list[Res]

    def of_type(self, *types: str) -> list[Res]:
        return [r for r in self.resources if r.type in types]

    def referenced(self, res: Res, prop: str, candidates: Sequence[Res]) -> list[Res] | Unknown:
        """The candidates that ``res.props[prop]`` refers to: by the engine's property dependencies,
        else by value (an id, ARN or name the candidate carries). Unknown when neither can tell."""
        deps = res.property_dependencies.get(prop)
        if deps:
            return [c for c in candidates if c in deps]
        values: set[str] = set()
        unknown: list[Unknown] = []
        _collect_strings(res.props.get(prop), values, unknown)
        matched = [c for c in candidates if values & identities(c)]
        if not matched and unknown:
            return unknown[0]
        return matched


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


def identities(res: Res) -> set[str]:
    """Strings other resources use to refer to ``res``: id, ARN, name, and the ARN's last segment."""
    found = set()
    for key in ("id", "arn", "name", "executionArn"):
        value = res.props.get(key)
        if isinstance(value, str):
            found.add(value)
            if key in ("arn", "executionArn"):
                found.add(re.split(r"[/:]", value)[-1])
    return found


def _stack(args: StackValidationArgs) -> Stack:
    views: dict[str, Res] = {}
    for r in args.resources:
        provider = None
        if r.provider is not None:
            try:
                provider = plain(r.provider.props)
            except UnknownValueError:
                provider = None
        views[r.urn] = Res(r.resource_type, r.name, r.urn, plain(r.props), provider)
    for r in args.resources:
        view = views[r.urn]
        view.parent = views.get(r.parent.urn) if r.parent is not None else None
        view.dependencies = [views[d.urn] for d in r.dependencies if d.urn in views]
        view.property_dependencies = {k: [views[d.urn] for d in v if d.urn in views]
                                      for k, v in r.property_dependencies.items()}
    return Stack(list(views.values()))


def stack_rule(*, name: str, description: str, level: EnforcementLevel,
               check: Callable[[Stack, RuleConfig], Iterable[Item]], config: dict[str, dict] | None = None,
               severity: Severity = Severity.MEDIUM, exceptions: Sequence[Mapping[str, str]] = ()) -> Rule:
    properties = {"exceptions": _exceptions_schema(exceptions), **(config or {})}
    rule = Rule(name, description, level, check, properties, None, severity)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        stack = _stack(args)
        skipped = _run(rule, args.get_config(), None, lambda cfg: check(stack, cfg),
                       lambda message, res: report_violation(message, res.urn if res else None), stack.resources)
        if skipped:
            args.not_applicable(skipped[0].reason)

    rule.policy = StackValidationPolicy(
        name=name, description=description, validate=_guarded(rule, validate), enforcement_level=level,
        severity=severity,
        config_schema=PolicyConfigSchema(properties=properties))
    return rule


def each_known(items: Iterable[Any]) -> Iterator[Any | Undecided]:
    """Items of a list, with unknown items turned into :class:`Undecided` (to yield and go on)."""
    for item in items:
        yield Undecided(item.path) if is_unknown(item) else item


def rules_table(rules: Sequence[Rule]) -> str:
    """The README's rule table (a test keeps the README in step with the code)."""
    lines = ["| Rule | Kind | Default level | Config (default) | What it asks for |", "|---|---|---|---|---|"]
    for rule in rules:
        options = [f"`{key}` ({_short(spec.get('default'))})" for key, spec in rule.config.items()
                   if key != "exceptions" or spec.get("default")]
        lines.append(f"| `{rule.name}` | {rule.kind} | {rule.level.value} | "
                     f"{', '.join(options) or '`exceptions` only'} | {_cell(rule.description)} |")
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

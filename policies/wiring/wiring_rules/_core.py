"""What every wiring rule shares: resources as plain values with explicit unknowns, findings, and
the wrapper that turns a stack rule's findings into ``report_violation`` calls.

A rule is a generator ``check(graph)`` yielding:

* :class:`Finding` - one broken link, reported on the resource at fault (its URN), naming both
  ends and the fix;
* :class:`Undecided` - a value the rule needs is unknown (computed from resources not created yet,
  as in a first preview). The rule goes on with what it can decide; at the end the wrapper raises
  the SDK's ``UnknownValueError``, which the engine reports as an ADVISORY naming every value the
  rule was missing. A rule never passes silently on a value it does not know.

Unknown values mean what ``values.py`` (shared by every pack) says: :func:`plain` replaces each by an
:class:`Unknown` naming its path; :func:`known` turns one into an :class:`Undecided`, and any use of
an unknown that needs its value (truth, iteration, ``.get``...) raises the shared ``Undecided``,
which the wrapper counts as undecided too, so a rule that forgets to check cannot pass on it.
Exceptions inside a rule are reported as a violation of the rule (pulumi-policy 1.21.0 does not
return them over gRPC), so a bug in the pack fails closed instead of passing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from . import values
from .reporting import crash_message, exceptions_schema, glob_match, waivers  # noqa: F401 - glob_match re-exported
from .serving import per_request
from .values import Unknown, as_list  # noqa: F401 - the rule modules import them from here


def plain(value: Any, path: str = "") -> Any:
    """Plain dicts and lists, every unknown (proxied or a raw sentinel) an :class:`Unknown` named by
    its path: the rules always say which value they miss."""
    return values.plain(value, path)


@dataclass(eq=False)
class Res:
    """One resource of the stack as the rules see it."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    region: str | None = None  # the provider's Region (None when the provider does not say)

    @property
    def short_type(self) -> str:
        return self.type.rsplit(":", 1)[-1]

    @property
    def label(self) -> str:
        return f"{self.name} ({self.short_type})"

    def get(self, *keys: str | int) -> Any:
        """``props[k1][k2]...``: None when missing, the :class:`Unknown` when one level is unknown."""
        value: Any = self.props
        for key in keys:
            if value is None or isinstance(value, Unknown):
                return value
            if isinstance(key, int):
                value = value[key] if isinstance(value, list) and -len(value) <= key < len(value) else None
            else:
                value = value.get(key) if isinstance(value, Mapping) else None
        return value


@dataclass(frozen=True)
class Finding:
    """One broken link: ``resource`` is where it is reported, ``token`` what is missing."""

    resource: Res
    token: str
    message: str


@dataclass(frozen=True)
class Undecided:
    """The rule cannot decide ``path`` of ``resource``; ``why`` says what it was checking.
    ``pending``: the value is computed and known at `pulumi up`; otherwise the pack can never see
    it (a resource outside the stack) and ``why`` says so."""

    resource: Res | None
    path: str
    why: str = ""
    pending: bool = True


class UndecidedError(Exception):
    def __init__(self, undecided: Undecided):
        super().__init__(undecided.path)
        self.undecided = undecided


def known(value: Any, res: Res | None, why: str = "") -> Any:
    """``value`` itself, or raise (to be caught by the rule or the wrapper) when it is unknown."""
    if isinstance(value, Unknown):
        raise UndecidedError(Undecided(res, value.path, why))
    return value


Item = Finding | Undecided


@dataclass
class Rule:
    name: str
    description: str
    level: EnforcementLevel
    check: Callable[[Any], Iterable[Item]]
    docs: tuple[str, ...]  # the AWS documentation behind the rule (README and messages)
    policy: StackValidationPolicy = field(init=False)


def _message(finding: Finding) -> str:
    return f"{finding.resource.label}: {finding.token}: {finding.message}"


def _listing(items: list[Undecided]) -> str:
    labels = sorted(
        {(f"{u.resource.name}: " if u.resource else "") + u.path + (f" ({u.why})" if u.why else "") for u in items}
    )
    return "; ".join(labels[:6]) + (f"; and {len(labels) - 6} more" if len(labels) > 6 else "")


def _undecided_message(rule: Rule, items: list[Undecided]) -> str:
    parts = []
    pending = [u for u in items if u.pending]
    if pending:
        parts.append(
            f"{rule.name} cannot decide until these values are known: {_listing(pending)}. They are computed "
            "from resources not created yet; the rule decides at `pulumi up`, when they are known."
        )
    outside = [u for u in items if not u.pending]
    if outside:
        parts.append(
            f"{rule.name} cannot decide what lies outside this stack: {_listing(outside)}. Check those "
            "links by hand, or bring the resources into the stack."
        )
    return " ".join(parts)


def run_check(rule: Rule, graph: Any) -> tuple[list[Finding], list[Undecided], str | None]:
    """The rule's findings, what it could not decide, and an internal error (if any)."""
    found: list[Finding] = []
    undecided: list[Undecided] = []
    try:
        for item in rule.check(graph):
            (found if isinstance(item, Finding) else undecided).append(item)
    except UndecidedError as stop:
        undecided.append(stop.undecided)
    except values.Undecided as stop:  # an unknown used as if known (values.py)
        undecided.append(Undecided(stop.resource, stop.path, stop.why, stop.pending))
    except Exception as error:  # noqa: BLE001 - reported, never swallowed
        return found, undecided, crash_message(rule.name, error)
    return found, undecided, None


# Every resource type a rule reads (filled in by the package from the rule modules): the others are
# not converted or indexed, so a stack's unrelated resources cost next to nothing.
KNOWN_TYPES: set[str] = set()


def stack_rule(
    *,
    name: str,
    description: str,
    level: EnforcementLevel,
    check: Callable[[Any], Iterable[Item]],
    docs: Sequence[str],
    severity: Severity = Severity.HIGH,
) -> Rule:
    from ._graph import Graph  # the graph module imports this one

    rule = Rule(name, description, level, check, tuple(docs))

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        reviewed = waivers((args.get_config() or {}).get("exceptions") or [], rule.name)
        for waiver in reviewed:
            if waiver.problem:
                report_violation(f"{waiver.describe()} of {rule.name} {waiver.problem}; it waives nothing.", None)
        usable = [w for w in reviewed if not w.problem]
        # Every stack rule of one AnalyzeStack sees the same resources: one graph serves them all.
        graph = per_request("wiring-graph", lambda: Graph.of(args.resources, KNOWN_TYPES))
        found, undecided, crash = run_check(rule, graph)
        for finding in found:
            if not any(w.covers(finding) for w in usable):
                report_violation(_message(finding), finding.resource.urn)
        if crash:
            report_violation(crash, None)
        if undecided:
            error = UnknownValueError(UNKNOWN_STRING_VALUE, [undecided[0].path])
            error.message = _undecided_message(rule, undecided)
            raise error

    rule.policy = StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=level,
        severity=severity,
        config_schema=PolicyConfigSchema(properties={"exceptions": EXCEPTIONS_SCHEMA}),
    )
    return rule


# Reviewed exceptions, as every pack takes them (reporting.py).
EXCEPTIONS_SCHEMA: dict[str, Any] = exceptions_schema("`Api::sqs@us-east-1`")


def rules_table(rules: Sequence[Rule]) -> str:
    """The README's rule table (a test keeps the README in step with the code)."""
    lines = ["| Rule | Default level | What it asks for | AWS documentation |", "|---|---|---|---|"]
    for rule in rules:
        docs = ", ".join(f"[{i + 1}]({url})" for i, url in enumerate(rule.docs))
        lines.append(f"| `{rule.name}` | {rule.level.value} | {rule.description.replace('|', '/')} | {docs} |")
    return "\n".join(lines)

"""Run the pack's rules on hand-built resources: directly (ResourceValidationArgs /
StackValidationArgs, as AWSGuard's tests do) and through the SDK's in-process Analyzer servicer
(enforcement levels, unknowns, config), as pulumi-policy's own tests do."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import security_rules
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

UNKNOWN = UNKNOWN_STRING_VALUE
RULES = {rule.name: rule for rule in security_rules.RULES}
PACK = "blueprints-security"


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:test::blueprints::{type_}::{name}"


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


@dataclass
class Outcome:
    violations: list[str] = field(default_factory=list)
    urns: list[str | None] = field(default_factory=list)
    undecided: str | None = None
    not_applicable: str | None = None

    @property
    def passed(self) -> bool:
        return not self.violations and self.undecided is None

    def with_token(self, token: str) -> list[str]:
        return [v for v in self.violations if f" {token} at " in v]


def policy_doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(actions, resources="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


def _validate(rule_name: str, args: Any) -> Outcome:
    """Runs the rule's policy on resource or stack args, collecting what it reports."""
    outcome = Outcome()

    def report(message: str, resource_urn: str | None = None) -> None:
        outcome.violations.append(message)
        outcome.urns.append(resource_urn)

    try:
        RULES[rule_name].policy.validate(args, report)
    except UnknownValueError as error:
        outcome.undecided = error.message
    except _NotApplicableError as error:
        outcome.not_applicable = error.reason
    return outcome


def check(
    rule_name: str,
    type_: str,
    props: dict[str, Any],
    *,
    name: str = "subject",
    config: dict | None = None,
    provider: dict | None = None,
) -> Outcome:
    """Runs one resource rule on one resource, as the SDK would (without the engine)."""
    provider_resource = (
        PolicyProviderResource("pulumi:providers:aws", provider, urn("pulumi:providers:aws", "p"), "p")
        if provider is not None
        else None
    )
    args = ResourceValidationArgs(type_, props, urn(type_, name), name, options(), provider_resource, config)
    return _validate(rule_name, args)


@dataclass
class R:
    """A stack resource for check_stack: ``deps`` maps a property to the names it depends on."""

    type: str
    name: str
    props: dict[str, Any]
    deps: dict[str, list[str]] = field(default_factory=dict)


def check_stack(rule_name: str, resources: list[R], *, config: dict | None = None) -> Outcome:
    built = {
        r.name: PolicyResource(r.type, r.props, urn(r.type, r.name), r.name, options(), None, None, [], {})
        for r in resources
    }
    for r in resources:
        built[r.name].property_dependencies = {k: [built[n] for n in v if n in built] for k, v in r.deps.items()}
        built[r.name].dependencies = [built[n] for v in r.deps.values() for n in v if n in built]
    args = StackValidationArgs(list(built.values()), config)
    return _validate(rule_name, args)


# --- through the Analyzer servicer -------------------------------------------------------------

LEVELS = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}


def servicer(config: dict[str, dict] | None = None) -> _PolicyAnalyzerServicer:
    """The pack as the engine talks to it; ``config`` as in --policy-pack-config (level + properties)."""
    s = _PolicyAnalyzerServicer(PACK, "0.1.0", security_rules.POLICIES, EnforcementLevel.MANDATORY)
    if config:
        request = proto.ConfigureAnalyzerRequest()
        for policy, values in config.items():
            values = dict(values)
            entry = request.policyConfig[policy]
            level = values.pop("enforcementLevel", None)
            if level is not None:
                entry.enforcementLevel = LEVELS[level]
            else:  # the engine always sends the level: the policy's default
                entry.enforcementLevel = LEVELS[RULES[policy].level.value]
            entry.properties.update(values)
        s.Configure(request, None)
    return s


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    value = struct_pb2.Struct()
    value.update(props)
    return value


def analyze(s: _PolicyAnalyzerServicer, type_: str, props: dict[str, Any], name: str = "subject"):
    return s.Analyze(proto.AnalyzeRequest(type=type_, properties=struct(props), urn=urn(type_, name), name=name), None)


def analyze_stack(s: _PolicyAnalyzerServicer, resources: list[R]):
    request = proto.AnalyzeStackRequest()
    for r in resources:
        entry = request.resources.add(type=r.type, urn=urn(r.type, r.name), name=r.name, properties=struct(r.props))
        for prop, names in r.deps.items():
            entry.propertyDependencies[prop].urns.extend(urn(d.type, d.name) for d in resources if d.name in names)
            entry.dependencies.extend(urn(d.type, d.name) for d in resources if d.name in names)
    return s.AnalyzeStack(request, None)


def diagnostics(response, policy: str | None = None) -> list:
    return [d for d in response.diagnostics if policy is None or d.policyName == policy]

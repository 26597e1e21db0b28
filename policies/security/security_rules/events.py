"""EventBridge rules: who may put events on a bus, where events go, and the global endpoint."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    NotApplicable,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    each_item,
    get,
    is_unknown,
    required,
    resource_rule,
    stack_rule,
)
from ._documents import Statement, statements_or_findings
from ._options import bool_option, list_option
from .iam import ROLE, identity_statements

BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
PERMISSION = "aws:cloudwatch/eventPermission:EventPermission"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ENDPOINT = "aws:cloudwatch/eventEndpoint:EventEndpoint"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
_BUS_ARN = re.compile(r"^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus/(.+)$")


# --- lp-eventbus-policy-not-open ----------------------------------------------------------------------


def _bus_policy(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == PERMISSION:
        principal = res.props.get("principal")
        if is_unknown(principal):
            yield Undecided(principal.path)
            return
        condition = res.props.get("condition")
        if principal == "*" and not (isinstance(condition, dict) and condition.get("key") == "aws:PrincipalOrgID"):
            yield Finding(
                "Principal::*",
                "principal",
                "any account may put events on this bus: add a condition "
                "on aws:PrincipalOrgID (your organization) or name the account.",
            )
        return
    for stmt in statements_or_findings(res.props.get("policy"), "policy"):
        if not isinstance(stmt, Statement):
            yield stmt
            continue
        if not stmt.allows:
            continue
        if stmt.public_unless("aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalOrgPaths"):
            yield Finding(
                "Principal::*",
                stmt.where,
                "any account may use this bus: add an aws:PrincipalOrgID "
                "condition (your organization) or name the accounts.",
            )
        for resource in stmt.resources:
            if resource == "*" or not resource.startswith("arn:") or resource.endswith("event-bus/*"):
                yield Finding(f"Resource::{resource}", stmt.where, "name the event bus ARN the grant is for.")


eventbus_policy_not_open = resource_rule(
    name="lp-eventbus-policy-not-open",
    description=(
        "Event bus policies do not let everyone put events: Principal '*' needs an aws:PrincipalOrgID "
        "condition, and the grant names the bus ARN."
    ),
    types={BUS_POLICY, PERMISSION},
    check=_bus_policy,
)


# --- lp-eventbridge-target-dlq ------------------------------------------------------------------------


def _target_dlq(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    dlq = get(res.props, "deadLetterConfig", "arn")
    yield from required(
        dlq,
        "DeadLetterConfig::missing",
        "deadLetterConfig",
        "events that cannot be delivered are dropped: set deadLetterConfig.arn to an SQS queue.",
    )
    if cfg["requireRetryPolicy"]:
        retry = res.props.get("retryPolicy")
        yield from required(
            retry,
            "RetryPolicy::missing",
            "retryPolicy",
            "set retryPolicy (maximumEventAgeInSeconds, "
            "maximumRetryAttempts) so retries end when the event is no longer useful.",
        )


eventbridge_target_dlq = resource_rule(
    name="lp-eventbridge-target-dlq",
    description="EventBridge targets have a dead-letter queue and an explicit retry policy, so no event is lost.",
    types={TARGET},
    level=EnforcementLevel.ADVISORY,
    check=_target_dlq,
    severity=Severity.MEDIUM,
    config={"requireRetryPolicy": bool_option(True, "Also require an explicit retryPolicy.")},
)


# --- lp-eventbridge-bus-target-role -------------------------------------------------------------------


def _bus_target_role(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    arn = res.props.get("arn")
    if is_unknown(arn):
        yield Undecided(arn.path)
        return
    if not _BUS_ARN.match(str(arn)):
        yield NotApplicable("the target is not an event bus")
        return
    role = res.props.get("roleArn")
    yield from required(
        role,
        "RoleArn::missing",
        "roleArn",
        "sending to another bus needs a role whose policy allows events:PutEvents on that bus ARN only: set roleArn.",
    )


eventbridge_bus_target_role = resource_rule(
    name="lp-eventbridge-bus-target-role",
    description=(
        "Rules that forward to another event bus (another account or Region) use a role (roleArn) allowed "
        "only events:PutEvents on that bus."
    ),
    types={TARGET},
    check=_bus_target_role,
    severity=Severity.MEDIUM,
)


# --- lp-eventbridge-global-endpoint (stack) ----------------------------------------------------------


def _global_endpoint(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    checks = stack.of_type(HEALTH_CHECK)
    roles = stack.of_type(ROLE)
    for endpoint in stack.of_type(ENDPOINT):
        buses = endpoint.props.get("eventBuses")
        if is_unknown(buses):
            yield Undecided(buses.path, resource=endpoint)
            continue
        arns = []
        for bus in each_item(buses):
            arn = bus.get("eventBusArn") if isinstance(bus, dict) else bus
            if isinstance(arn, Undecided) or is_unknown(arn):
                yield Undecided(getattr(arn, "path", "eventBuses"), resource=endpoint)
                continue
            arns.append(arn)
        if len(as_list(buses)) != 2:
            yield Finding(
                f"EventBuses::{len(as_list(buses))}",
                "eventBuses",
                "a global endpoint pairs exactly two buses, one in each Region.",
                resource=endpoint,
            )
        parsed = [m for m in (_BUS_ARN.match(a) for a in arns) if m]
        regions = [m.group(1) for m in parsed]
        if len(set(regions)) != len(regions):
            yield Finding(
                "Region::duplicate", "eventBuses", "the two buses must be in different Regions.", resource=endpoint
            )
        for region in cfg["regions"]:
            if len(arns) == len(as_list(buses)) and region not in regions:
                yield Finding(
                    f"Region::{region}",
                    "eventBuses",
                    f"no bus in {region}, one of the configured Regions.",
                    resource=endpoint,
                )
        if len({m.group(3) for m in parsed}) > 1:
            yield Finding(
                "EventBusName::mismatch",
                "eventBuses",
                "the buses of a global endpoint share one name.",
                resource=endpoint,
            )

        health = get(endpoint.props, "routingConfig", "failoverConfig", "primary", "healthCheck")
        if is_unknown(health):
            yield Undecided(health.path, resource=endpoint)
        elif not health:
            yield Finding(
                "HealthCheck::missing",
                "routingConfig.failoverConfig.primary.healthCheck",
                "failover needs a Route 53 health check on the primary Region.",
                resource=endpoint,
            )
        else:
            found = stack.referenced(endpoint, "routingConfig", checks)
            if not is_unknown(found) and not found:
                yield Finding(
                    "HealthCheck::external",
                    "routingConfig.failoverConfig.primary.healthCheck",
                    f"{health} is not a health check of this stack: create it with the endpoint, on the "
                    "alarm that watches the primary bus.",
                    resource=endpoint,
                )

        state = get(endpoint.props, "replicationConfig", "state") or "ENABLED"
        if is_unknown(state):
            yield Undecided(state.path, resource=endpoint)
            continue
        if state != "ENABLED":
            continue
        role_arn = endpoint.props.get("roleArn")
        if is_unknown(role_arn):
            yield Undecided(role_arn.path, resource=endpoint)
            continue
        if not role_arn:
            yield Finding(
                "RoleArn::missing",
                "roleArn",
                "replication needs a role allowed events:PutEvents on the two buses.",
                resource=endpoint,
            )
            continue
        yield from _replication_role(stack, endpoint, roles, arns)


def _replication_role(stack: Stack, endpoint: Res, roles: list[Res], bus_arns: list[str]) -> Iterator[Item]:
    role = stack.referenced(endpoint, "roleArn", roles)
    if is_unknown(role):
        yield Undecided(role.path, resource=endpoint)
        return
    if not role:
        yield Undecided(
            "roleArn",
            "the replication role is not in this stack, so its policy cannot be read",
            resource=endpoint,
            pending=False,
        )
        return
    documents = [role[0]]
    for policy in stack.of_type("aws:iam/rolePolicy:RolePolicy"):
        targets = stack.referenced(policy, "role", role)
        if is_unknown(targets):
            yield Undecided(targets.path, resource=policy)
        elif targets:
            documents.append(policy)
    for owner in documents:
        for stmt in identity_statements(owner):
            if isinstance(stmt, Undecided):
                stmt.resource = owner
                yield stmt
                continue
            if isinstance(stmt, Finding) or not stmt.allows:
                continue
            for action in stmt.actions:
                if action.lower() != "events:putevents":
                    yield Finding(
                        f"Action::{action}",
                        stmt.where,
                        "the replication role needs events:PutEvents only.",
                        resource=owner,
                    )
            for resource in stmt.resources:
                if resource not in bus_arns:
                    yield Finding(
                        f"Resource::{resource}",
                        stmt.where,
                        f"the replication role may put events only on the endpoint's buses ({', '.join(bus_arns)}).",
                        resource=owner,
                    )


eventbridge_global_endpoint = stack_rule(
    name="lp-eventbridge-global-endpoint",
    description=(
        "An EventBridge global endpoint pairs two same-named buses in two Regions, fails over on a Route 53 "
        "health check of this stack, and replicates with a role allowed only events:PutEvents on those "
        "two buses."
    ),
    check=_global_endpoint,
    config={"regions": list_option([], "The two Regions the buses must be in (empty: any two).")},
)

RULES = [eventbus_policy_not_open, eventbridge_target_dlq, eventbridge_bus_target_role, eventbridge_global_endpoint]

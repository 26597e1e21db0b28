"""EventBridge rules: a resource that breaks each rule and a close neighbour that passes."""

from security_policy_helpers import UNKNOWN, R, allow, check, check_stack, policy_doc

BUS_POLICY = "aws:cloudwatch/eventBusPolicy:EventBusPolicy"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ENDPOINT = "aws:cloudwatch/eventEndpoint:EventEndpoint"
EAST_BUS = "arn:aws:events:us-east-1:111111111111:event-bus/orders"
WEST_BUS = "arn:aws:events:us-west-2:111111111111:event-bus/orders"
HEALTH_ARN = "arn:aws:route53:::healthcheck/0a1b2c3d-1111-2222-3333-444455556666"


# --- lp-eventbus-policy-not-open -----------------------------------------------------------------------------


def test_bus_policy_open_to_everyone_is_caught_org_scoped_passes():
    open_policy = policy_doc(allow("events:PutEvents", EAST_BUS, Principal="*"))
    outcome = check("lp-eventbus-policy-not-open", BUS_POLICY, {"policy": open_policy}, name="central-bus-policy")
    assert outcome.with_token("Principal::*")[0].startswith("central-bus-policy (EventBusPolicy)")
    org = policy_doc(
        allow(
            "events:PutEvents",
            EAST_BUS,
            Principal="*",
            Sid="AllowAllAccountsInOrganizationToPutEvents",
            Condition={"StringEquals": {"aws:PrincipalOrgID": "o-xxxxxxxx"}},
        )
    )
    assert check("lp-eventbus-policy-not-open", BUS_POLICY, {"policy": org}).passed
    any_bus = policy_doc(allow("events:PutEvents", "*", Principal={"AWS": "arn:aws:iam::222222222222:root"}))
    assert check("lp-eventbus-policy-not-open", BUS_POLICY, {"policy": any_bus}).with_token("Resource::*")


def test_event_permission_for_everyone_needs_the_organization_condition():
    permission = "aws:cloudwatch/eventPermission:EventPermission"
    assert check("lp-eventbus-policy-not-open", permission, {"principal": "*", "statementId": "all"}).with_token(
        "Principal::*"
    )
    assert check(
        "lp-eventbus-policy-not-open",
        permission,
        {
            "principal": "*",
            "statementId": "org",
            "condition": {"key": "aws:PrincipalOrgID", "type": "StringEquals", "value": "o-1"},
        },
    ).passed
    assert check("lp-eventbus-policy-not-open", permission, {"principal": "222222222222"}).passed


# --- lp-eventbridge-target-dlq / lp-eventbridge-bus-target-role ------------------------------------------------


def test_target_without_dlq_and_retry_policy_is_caught():
    outcome = check(
        "lp-eventbridge-target-dlq",
        TARGET,
        {"rule": "r", "arn": "arn:aws:lambda:us-east-1:1:function:f"},
        name="to-consumer",
    )
    assert outcome.with_token("DeadLetterConfig::missing") and outcome.with_token("RetryPolicy::missing")
    good = {
        "rule": "r",
        "arn": "arn:aws:lambda:us-east-1:1:function:f",
        "deadLetterConfig": {"arn": "arn:aws:sqs:us-east-1:1:dlq"},
        "retryPolicy": {"maximumEventAgeInSeconds": 3600, "maximumRetryAttempts": 10},
    }
    assert check("lp-eventbridge-target-dlq", TARGET, good).passed


def test_bus_target_needs_a_role():
    assert check(
        "lp-eventbridge-bus-target-role", TARGET, {"rule": "r", "arn": WEST_BUS}, name="forward-west"
    ).with_token("RoleArn::missing")
    assert check(
        "lp-eventbridge-bus-target-role",
        TARGET,
        {"rule": "r", "arn": WEST_BUS, "roleArn": "arn:aws:iam::1:role/forward"},
    ).passed
    assert check(
        "lp-eventbridge-bus-target-role", TARGET, {"arn": "arn:aws:lambda:us-east-1:1:function:f"}
    ).not_applicable
    assert "arn" in check("lp-eventbridge-bus-target-role", TARGET, {"arn": UNKNOWN}).undecided


# --- lp-eventbridge-global-endpoint (stack) ---------------------------------------------------------------------


def _stack(
    *,
    buses=(EAST_BUS, WEST_BUS),
    health=HEALTH_ARN,
    role_actions=("events:PutEvents",),
    role_resources=(EAST_BUS, WEST_BUS),
):
    role = R("aws:iam/role:Role", "replication-role", {"name": "replication-role-1", "arn": "arn:aws:iam::1:role/rep"})
    policy = R(
        "aws:iam/rolePolicy:RolePolicy",
        "replication-policy",
        {"role": "replication-role-1", "policy": policy_doc(allow(list(role_actions), list(role_resources)))},
        {"role": ["replication-role"]},
    )
    check_resource = R(
        "aws:route53/healthCheck:HealthCheck", "primary-health", {"type": "CLOUDWATCH_METRIC", "arn": HEALTH_ARN}
    )
    endpoint = R(
        ENDPOINT,
        "orders-endpoint",
        {
            "name": "orders",
            "eventBuses": [{"eventBusArn": b} for b in buses],
            "routingConfig": {
                "failoverConfig": {"primary": {"healthCheck": health}, "secondary": {"route": "us-west-2"}}
            },
            "replicationConfig": {"state": "ENABLED"},
            "roleArn": "arn:aws:iam::1:role/rep",
        },
        {"routingConfig": ["primary-health"] if health == HEALTH_ARN else [], "roleArn": ["replication-role"]},
    )
    return [role, policy, check_resource, endpoint]


def test_well_formed_global_endpoint_passes():
    assert check_stack(
        "lp-eventbridge-global-endpoint", _stack(), config={"regions": ["us-east-1", "us-west-2"]}
    ).passed


def test_endpoint_with_one_region_twice_and_a_foreign_health_check():
    outcome = check_stack(
        "lp-eventbridge-global-endpoint",
        _stack(buses=(EAST_BUS, EAST_BUS), health="arn:aws:route53:::healthcheck/other"),
        config={"regions": ["us-east-1", "us-west-2"]},
    )
    assert outcome.with_token("Region::duplicate")[0].startswith("orders-endpoint (EventEndpoint)")
    assert outcome.with_token("Region::us-west-2")
    assert outcome.with_token("HealthCheck::external")


def test_replication_role_wider_than_put_events_on_the_two_buses():
    outcome = check_stack(
        "lp-eventbridge-global-endpoint",
        _stack(
            role_actions=("events:PutEvents", "events:DeleteRule"),
            role_resources=(EAST_BUS, WEST_BUS, "arn:aws:events:us-east-1:1:event-bus/default"),
        ),
    )
    [action] = outcome.with_token("Action::events:DeleteRule")
    assert action.startswith("replication-policy (RolePolicy)")
    assert outcome.with_token("Resource::arn:aws:events:us-east-1:1:event-bus/default")


def test_bus_names_must_match_and_a_missing_health_check_is_caught():
    other = "arn:aws:events:us-west-2:111111111111:event-bus/payments"
    outcome = check_stack("lp-eventbridge-global-endpoint", _stack(buses=(EAST_BUS, other), health=None))
    assert outcome.with_token("EventBusName::mismatch") and outcome.with_token("HealthCheck::missing")

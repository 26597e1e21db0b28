"""GlobalEventBus under the fake AWS: buses, alarm, health check, endpoint, replication, consumers."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.global_events import (
    GlobalEventBus,
    GlobalEventBusArgs,
    endpoint_id_from_url,
)
from components.lambda_function import CODE_ONLY
from components.providers import ArchitectureProviders

BUS = "aws:cloudwatch/eventBus:EventBus"
RULE = "aws:cloudwatch/eventRule:EventRule"
TARGET = "aws:cloudwatch/eventTarget:EventTarget"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck"
ENDPOINT = "aws:cloudwatch/eventEndpoint:EventEndpoint"
ARCHIVE = "aws:cloudwatch/eventArchive:EventArchive"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
TABLE = "aws:dynamodb/table:Table"
FUNCTION = "aws:lambda/function:Function"
PERMISSION = "aws:lambda/permission:Permission"
QUEUE = "aws:sqs/queue:Queue"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LOG_POLICY = "aws:cloudwatch/logResourcePolicy:LogResourcePolicy"
ESM = "aws:lambda/eventSourceMapping:EventSourceMapping"
SCHEDULE = "aws:scheduler/schedule:Schedule"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"


def latency_alarm(result):
    (alarm,) = [a for a in result.of_type(ALARM) if a.inputs["metricName"] == "IngestionToInvocationStartLatency"]
    return alarm


@pytest.fixture
def deploy(pulumi_env, settings):
    """Run the component with the stack's providers; returns the recorded resources."""

    def run(**overrides):
        holder = {}

        def program():
            providers = ArchitectureProviders(settings.providers, "global-events")
            component = GlobalEventBus(
                "orders",
                GlobalEventBusArgs(
                    primary_provider=providers.primary,
                    secondary_provider=providers.secondary,
                    primary_region=settings.primary_region,
                    secondary_region=settings.secondary_region,
                    lambda_packaging=CODE_ONLY,
                    **overrides,
                ),
            )
            holder["component"] = component
            return pulumi.Output.all(**component.outputs)

        result = pulumi_env.run(program)
        result.component = holder["component"]
        return result

    return run


def by_region(records):
    return {r.region: r for r in records}


def policy(record, key="policy"):
    value = record.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def test_the_same_bus_name_in_both_regions(deploy):
    result = deploy()
    buses = by_region(result.of_type(BUS))
    assert set(buses) == {"us-east-1", "us-west-2"}
    assert {b.inputs["name"] for b in buses.values()} == {"orders-bus"}
    assert {b.account for b in buses.values()} == {"111111111111"}  # same account


def test_the_health_alarm_has_the_templates_values(deploy):
    alarm = latency_alarm(deploy())
    inputs = alarm.inputs
    assert alarm.region == "us-east-1"
    assert (inputs["namespace"], inputs["metricName"]) == ("AWS/Events", "IngestionToInvocationStartLatency")
    assert inputs["statistic"] == "Average"
    assert inputs["period"] == 60 and inputs["evaluationPeriods"] == 5
    assert inputs["threshold"] == 30000
    assert inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert "dimensions" not in inputs or not inputs["dimensions"]  # account-level metric
    # The template's default: an outage in which nothing is ingested fails over (the heartbeat keeps
    # a quiet bus from looking like one).
    assert inputs["treatMissingData"] == "breaching"


def test_the_health_check_watches_that_alarm(deploy):
    result = deploy()
    alarm = latency_alarm(result)
    (check,) = result.of_type(HEALTH_CHECK)
    assert check.inputs["type"] == "CLOUDWATCH_METRIC"
    assert check.inputs["cloudwatchAlarmName"] == alarm.outputs["name"] == alarm.id
    assert check.inputs["cloudwatchAlarmRegion"] == "us-east-1"
    # Before the alarm's first evaluation it is INSUFFICIENT_DATA; the check keeps its last status
    # (healthy for a new check).
    assert check.inputs["insufficientDataHealthStatus"] == "LastKnownStatus"


def test_the_endpoint_fails_over_to_the_secondary_and_replicates(deploy):
    result = deploy()
    (endpoint,) = result.of_type(ENDPOINT)
    (check,) = result.of_type(HEALTH_CHECK)
    buses = by_region(result.of_type(BUS))
    inputs = endpoint.inputs
    assert endpoint.region == "us-east-1"
    assert inputs["name"] == "OrdersGlobalEndpoint"
    failover = inputs["routingConfig"]["failoverConfig"]
    assert failover["primary"]["healthCheck"] == check.outputs["arn"]
    assert failover["secondary"]["route"] == "us-west-2"
    assert [b["eventBusArn"] for b in inputs["eventBuses"]] == [
        buses["us-east-1"].outputs["arn"],
        buses["us-west-2"].outputs["arn"],
    ]
    assert inputs["replicationConfig"]["state"] == "ENABLED"
    role = result.named("orders-replication", ROLE)
    assert inputs["roleArn"] == role.outputs["arn"]


def test_the_replication_role_may_only_put_events_on_the_two_buses(deploy):
    result = deploy()
    buses = by_region(result.of_type(BUS))
    role = result.named("orders-replication", ROLE)
    trust = policy(role, "assumeRolePolicy")["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "events.amazonaws.com"}]
    assert role.inputs["path"] == "/blueprints/"
    (statement,) = policy(result.named("orders-replication-policy", ROLE_POLICY))["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == ["events:PutEvents"]
    assert sorted(statement["Resource"]) == sorted(b.outputs["arn"] for b in buses.values())


def test_replication_can_be_turned_off(deploy):
    result = deploy(replication_enabled=False)
    (endpoint,) = result.of_type(ENDPOINT)
    assert endpoint.inputs["replicationConfig"]["state"] == "DISABLED"
    assert "roleArn" not in endpoint.inputs
    assert not [r for r in result.of_type(ROLE) if r.name == "orders-replication"]


def test_each_bus_has_an_archive_with_the_retention(deploy):
    result = deploy(archive_retention_days=3)
    buses = by_region(result.of_type(BUS))
    archives = by_region(result.of_type(ARCHIVE))
    for region in ("us-east-1", "us-west-2"):
        assert archives[region].inputs["eventSourceArn"] == buses[region].outputs["arn"]
        assert archives[region].inputs["retentionDays"] == 3
        assert not archives[region].options.get("protect")


def test_stateful_resources_are_protected_when_asked(deploy):
    result = deploy(protect_stateful=True)
    for archive in result.of_type(ARCHIVE):
        assert archive.options.get("protect") and archive.options.get("retainOnDelete")
    ledgers = [t for t in result.of_type(TABLE) if t.name.endswith("-orders")]
    assert len(ledgers) == 2
    for table in ledgers:
        assert table.inputs["deletionProtectionEnabled"] is True
        assert table.inputs["pointInTimeRecovery"]["enabled"] is True
        assert table.options.get("protect")


def test_catch_all_rules_write_to_log_groups_with_retention(deploy):
    result = deploy(log_retention_days=7)
    for region in ("us-east-1", "us-west-2"):
        rule = next(r for r in result.of_type(RULE) if r.region == region and r.name.endswith("catch-all"))
        assert json.loads(rule.inputs["eventPattern"]) == {"source": [{"prefix": ""}]}
        (target,) = [
            t for t in result.of_type(TARGET) if t.inputs["rule"] == rule.outputs["name"] and t.region == region
        ]
        group = next(
            g
            for g in result.of_type(LOG_GROUP)
            if g.region == region and g.inputs.get("name") == "/aws/events/orders-bus-catch-all"
        )
        assert target.inputs["arn"] == group.outputs["arn"]
        assert group.inputs["retentionInDays"] == 7
        (log_policy,) = [p for p in result.of_type(LOG_POLICY) if p.region == region]
        (statement,) = policy(log_policy, "policyDocument")["Statement"]
        assert statement["Principal"] == {"Service": ["events.amazonaws.com", "delivery.logs.amazonaws.com"]}
        assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert statement["Resource"] == [group.outputs["arn"] + ":*"]  # this log group only


def test_each_region_has_an_idempotent_order_consumer_with_dlq_and_retry_policy(deploy):
    result = deploy()
    for region in ("us-east-1", "us-west-2"):
        rule = next(r for r in result.of_type(RULE) if r.region == region and r.name.endswith("-orders"))
        assert json.loads(rule.inputs["eventPattern"]) == {
            "source": ["com.aws.Orders"],
            "detail-type": ["OrderCreated"],
        }
        function = next(f for f in result.of_type(FUNCTION) if f.region == region and f.name.endswith("order-consumer"))
        assert function.inputs["handler"] == "order_consumer.handler.handler"
        (target,) = [
            t for t in result.of_type(TARGET) if t.region == region and t.inputs["rule"] == rule.outputs["name"]
        ]
        assert target.inputs["arn"] == function.outputs["arn"]
        assert target.inputs["retryPolicy"] == {"maximumEventAgeInSeconds": 86400, "maximumRetryAttempts": 185}
        dlq = next(q for q in result.of_type(QUEUE) if q.region == region and q.name.endswith("orders-dlq"))
        assert target.inputs["deadLetterConfig"]["arn"] == dlq.outputs["arn"]
        assert function.inputs["deadLetterConfig"]["targetArn"] == dlq.outputs["arn"]
        (queue_policy,) = [p for p in result.of_type(QUEUE_POLICY) if p.region == region]
        (statement,) = policy(queue_policy)["Statement"]
        catch_all = next(r for r in result.of_type(RULE) if r.region == region and r.name.endswith("-catch-all"))
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        # the two rules of this bus, and no other, may dead-letter here
        assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == [rule.outputs["arn"], catch_all.outputs["arn"]]
        (catch_all_target,) = [
            t for t in result.of_type(TARGET) if t.region == region and t.inputs["rule"] == catch_all.outputs["name"]
        ]
        assert catch_all_target.inputs["deadLetterConfig"]["arn"] == dlq.outputs["arn"]
        assert catch_all_target.inputs["retryPolicy"] == target.inputs["retryPolicy"]
        (permission,) = [p for p in result.of_type(PERMISSION) if p.region == region]
        assert permission.inputs["principal"] == "events.amazonaws.com"
        assert permission.inputs["sourceArn"] == rule.outputs["arn"]


def test_the_idempotency_table_has_a_ttl_and_the_consumer_its_settings(deploy):
    result = deploy(archive_retention_days=3)
    for region in ("us-east-1", "us-west-2"):
        table = next(t for t in result.of_type(TABLE) if t.region == region and t.name.endswith("idempotency"))
        assert table.inputs["hashKey"] == "id"
        assert table.inputs["ttl"] == {"attributeName": "expiration", "enabled": True}
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
        function = next(f for f in result.of_type(FUNCTION) if f.region == region and f.name.endswith("order-consumer"))
        env = function.inputs["environment"]["variables"]
        assert env["IDEMPOTENCY_TABLE_NAME"] == table.outputs["name"]
        assert env["IDEMPOTENCY_TTL_SECONDS"] == str(3 * 86400)  # replays stay deduplicated
        role_policy = next(
            p
            for p in result.of_type(ROLE_POLICY)
            if p.name.endswith("order-consumer-policy") and json.dumps(policy(p)).count(table.outputs["arn"])
        )
        actions = {a for s in policy(role_policy)["Statement"] for a in s["Action"]}
        assert {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= actions
        assert not any(a.endswith("*") for a in actions)


def test_the_producer_publishes_through_the_endpoint_and_buffers_in_sqs(deploy):
    result = deploy()
    component = result.component
    producer = result.named("orders-producer", FUNCTION)
    redrive = result.named("orders-redrive", FUNCTION)
    buffer = result.named("orders-buffer", QUEUE)
    (endpoint,) = result.of_type(ENDPOINT)
    endpoint_id = endpoint_id_from_url(endpoint.outputs["endpointUrl"])
    env = producer.inputs["environment"]["variables"]
    assert env["EVENT_ENDPOINT_ID"] == endpoint_id
    assert env["EVENT_BUS_NAME"] == "orders-bus"
    assert env["BUFFER_QUEUE_URL"] == buffer.outputs["url"]
    assert redrive.inputs["environment"]["variables"]["EVENT_ENDPOINT_ID"] == endpoint_id
    assert producer.region == redrive.region == buffer.region == "us-east-1"
    redrive_policy = json.loads(buffer.inputs["redrivePolicy"])
    assert redrive_policy["deadLetterTargetArn"] == result.named("orders-buffer-dlq", QUEUE).outputs["arn"]
    assert redrive_policy["maxReceiveCount"] == 240
    assert buffer.inputs["visibilityTimeoutSeconds"] >= 6 * redrive.inputs["timeout"]
    (mapping,) = result.of_type(ESM)
    assert mapping.inputs["eventSourceArn"] == buffer.outputs["arn"]
    assert mapping.inputs["functionName"] == redrive.outputs["arn"]
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    buses = sorted(b.outputs["arn"] for b in result.of_type(BUS))
    producer_statements = policy(result.named("orders-producer-policy", ROLE_POLICY))["Statement"]
    put = next(s for s in producer_statements if s["Action"] == ["events:PutEvents"])
    assert sorted(put["Resource"]) == buses
    assert component.producer is not None


def test_without_the_producer_there_is_no_buffer(deploy):
    result = deploy(producer_enabled=False)
    assert not result.of_type(ESM)
    assert not [f for f in result.of_type(FUNCTION) if f.name in ("orders-producer", "orders-redrive")]
    assert len(result.of_type(FUNCTION)) == 2  # the two consumers


def test_outputs_name_what_producers_and_operators_need(deploy):
    result = deploy()
    outputs = result.value
    (endpoint,) = result.of_type(ENDPOINT)
    (check,) = result.of_type(HEALTH_CHECK)
    alarm = latency_alarm(result)
    assert outputs["endpointUrl"] == endpoint.outputs["endpointUrl"]
    assert outputs["endpointId"] == endpoint_id_from_url(endpoint.outputs["endpointUrl"])
    assert outputs["healthCheckId"] == check.id
    assert outputs["alarmName"] == alarm.id
    assert outputs["primaryBusArn"].startswith("arn:aws:events:us-east-1:")
    assert outputs["secondaryBusArn"].startswith("arn:aws:events:us-west-2:")
    assert outputs["catchAllLogGroup"] == "/aws/events/orders-bus-catch-all"


def test_every_child_is_parented_under_the_component(deploy):
    result = deploy()
    (root,) = result.of_type("blueprints:global_events:GlobalEventBus")
    urns = {r.urn: r for r in result.resources}
    for record in result.resources:
        if record.is_provider or record is root:
            continue
        chain, parent = [], record.parent
        while parent in urns:
            chain.append(parent)
            parent = urns[parent].parent
        assert root.urn in chain, f"{record.type} {record.name} is not under the component"


def _matches(pattern: dict, event: dict) -> bool:
    """EventBridge matching for the pattern shapes the component uses: exact values and prefixes
    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)."""
    for key, allowed in pattern.items():
        value = event.get(key)
        if not any(value == a if not isinstance(a, dict) else str(value).startswith(a["prefix"]) for a in allowed):
            return False
    return True


def test_a_heartbeat_keeps_the_latency_metric_populated(deploy):
    """IngestionToInvocationStartLatency has data points only for events delivered to a target; the
    heartbeat puts one a minute on the primary bus itself (not the endpoint: the signal must measure
    the primary Region whichever way the endpoint routes), where a rule delivers it."""
    result = deploy()
    (schedule,) = result.of_type(SCHEDULE)
    buses = by_region(result.of_type(BUS))
    target = schedule.inputs["target"]
    assert schedule.region == "us-east-1" and schedule.inputs["scheduleExpression"] == "rate(1 minute)"
    assert target["arn"] == buses["us-east-1"].outputs["arn"]
    heartbeat = {
        "source": target["eventbridgeParameters"]["source"],
        "detail-type": target["eventbridgeParameters"]["detailType"],
    }
    rules = [
        r
        for r in result.of_type(RULE)
        if r.inputs["eventBusName"] == buses["us-east-1"].outputs["name"]
        and r.region == "us-east-1"
        and _matches(json.loads(r.inputs["eventPattern"]), heartbeat)
    ]
    targets = [t for t in result.of_type(TARGET) if t.inputs["rule"] in {r.outputs["name"] for r in rules}]
    assert rules and targets, "no rule on the primary bus delivers the heartbeat"
    # one data point per alarm period
    assert latency_alarm(result).inputs["period"] == 60
    role = next(r for r in result.of_type(ROLE) if r.outputs["arn"] == target["roleArn"])
    assert [s["Principal"] for s in policy(role, "assumeRolePolicy")["Statement"]] == [
        {"Service": "scheduler.amazonaws.com"}
    ]
    (statement,) = policy(result.named("orders-heartbeat-put", ROLE_POLICY))["Statement"]
    assert (statement["Action"], statement["Resource"]) == (["events:PutEvents"], [buses["us-east-1"].outputs["arn"]])


def test_without_the_heartbeat_missing_data_must_not_fail_over(deploy):
    result = deploy(heartbeat_enabled=False, treat_missing_data="missing")
    assert not result.of_type(SCHEDULE)
    assert latency_alarm(result).inputs["treatMissingData"] == "missing"


def test_every_alarm_notifies_its_regions_alerts_topic(deploy):
    result = deploy(alarm_emails=("ops@example.com",))
    topics = by_region(result.of_type(TOPIC))
    assert set(topics) == {"us-east-1", "us-west-2"}
    subscriptions = result.of_type(SUBSCRIPTION)
    assert sorted((s.region, s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions) == [
        ("us-east-1", "email", "ops@example.com"),
        ("us-west-2", "email", "ops@example.com"),
    ]
    for alarm in result.of_type(ALARM):
        # CloudWatch notifies a topic of the alarm's own Region
        assert alarm.inputs["alarmActions"] == [topics[alarm.region].outputs["arn"]], alarm.name
    assert latency_alarm(result).inputs["okActions"] == [topics["us-east-1"].outputs["arn"]]  # fail-back too
    watched = {
        (a.region, a.inputs["metricName"], a.inputs["dimensions"].get("QueueName"))
        for a in result.of_type(ALARM)
        if a.inputs["namespace"] == "AWS/SQS"
    }
    queues = {q.name: q for q in result.of_type(QUEUE)}
    name = lambda q: queues[q].outputs["name"]  # noqa: E731
    assert watched == {
        ("us-east-1", "ApproximateNumberOfMessagesVisible", name("orders-primary-orders-dlq")),
        ("us-west-2", "ApproximateNumberOfMessagesVisible", name("orders-secondary-orders-dlq")),
        ("us-east-1", "ApproximateNumberOfMessagesVisible", name("orders-buffer-dlq")),
        ("us-east-1", "ApproximateNumberOfMessagesVisible", name("orders-producer-failures")),
        ("us-east-1", "ApproximateAgeOfOldestMessage", name("orders-buffer")),
    }


def test_the_async_producer_never_drops_an_invocation(deploy):
    """Lambda retries an asynchronous invocation twice, then discards it unless an on-failure
    destination is configured (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)."""
    result = deploy()
    (config,) = result.of_type(INVOKE_CONFIG)
    producer = result.named("orders-producer", FUNCTION)
    failures = result.named("orders-producer-failures", QUEUE)
    assert config.inputs["functionName"] == producer.outputs["name"]
    assert config.inputs["destinationConfig"]["onFailure"]["destination"] == failures.outputs["arn"]
    assert config.inputs["maximumRetryAttempts"] == 2 and config.inputs["maximumEventAgeInSeconds"] == 21600
    # Lambda sends the record with the function's own role
    statements = policy(result.named("orders-producer-policy", ROLE_POLICY))["Statement"]
    assert any(s["Action"] == ["sqs:SendMessage"] and s["Resource"] == [failures.outputs["arn"]] for s in statements)


def test_non_retryable_entries_go_to_the_buffer_dlq_at_once(deploy):
    result = deploy()
    dlq = result.named("orders-buffer-dlq", QUEUE)
    for function in ("orders-producer", "orders-redrive"):
        env = result.named(function, FUNCTION).inputs["environment"]["variables"]
        assert env["BUFFER_DLQ_URL"] == dlq.outputs["url"], function
        statements = policy(result.named(f"{function}-policy", ROLE_POLICY))["Statement"]
        assert any(s["Action"] == ["sqs:SendMessage"] and s["Resource"] == [dlq.outputs["arn"]] for s in statements)


def test_endpoint_ids_come_from_the_endpoint_url():
    assert endpoint_id_from_url("https://y6gho8g4kc.veo.endpoint.events.amazonaws.com") == "y6gho8g4kc.veo"
    with pytest.raises(ValueError):
        endpoint_id_from_url("https://events.us-east-1.amazonaws.com")


class _Provider(pulumi.ProviderResource):
    def __init__(self):  # not registered: Args validation only looks at the type
        pass


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"secondary_region": "us-east-1"}, "secondary_region must differ"),
        ({"bus_name": "orders bus"}, "bus_name"),
        ({"endpoint_name": "x" * 65}, "endpoint_name"),
        ({"treat_missing_data": "breach"}, "treat_missing_data"),
        ({"insufficient_data_health_status": "Sick"}, "insufficient_data_health_status"),
        ({"archive_retention_days": 0}, "archive_retention_days"),
        ({"log_retention_days": 10}, "log_retention_days"),
        ({"alarm_period_seconds": 45}, "alarm_period_seconds"),
        ({"target_max_retry_attempts": 200}, "target_max_retry_attempts"),
        ({"order_source": "aws.events"}, "order_source"),
        ({"primary_provider": "us-east-1"}, "primary_provider"),
        ({"heartbeat_enabled": False}, "treat_missing_data 'breaching' with heartbeat_enabled False: a quiet bus"),
        (
            {
                "heartbeat_enabled": False,
                "treat_missing_data": "missing",
                "insufficient_data_health_status": "Unhealthy",
            },
            "a quiet bus would fail over",
        ),
    ],
)
def test_args_are_validated_with_a_clear_message(overrides, message):
    values = {"primary_provider": _Provider(), "secondary_provider": _Provider(), **overrides}
    with pytest.raises(ValueError, match=message):
        GlobalEventBusArgs(**values)


def test_several_problems_are_reported_together():
    with pytest.raises(ValueError) as raised:
        GlobalEventBusArgs(
            primary_provider=_Provider(), secondary_provider=_Provider(), bus_name="", archive_retention_days=0
        )
    assert "bus_name" in str(raised.value) and "archive_retention_days" in str(raised.value)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_program_wires_the_architecture(stack, shipped_stack):
    """__main__.py with the shipped stack file: architecture A is on, tagged and exported."""
    result = shipped_stack(stack)

    assert result.outputs["eventsEndpointId"] and result.outputs["eventsHealthCheckId"]
    assert result.outputs["eventsPrimaryBusArn"].startswith("arn:aws:events:us-east-1:")
    providers = [r for r in result.of_type("pulumi:providers:aws") if r.name.startswith("global-events-")]
    assert {json.loads(p.inputs["defaultTags"])["tags"]["Architecture"] for p in providers} == {"global-events"}
    archives = [a for a in result.of_type(ARCHIVE) if any(a.provider.startswith(p.urn) for p in providers)]
    assert len(archives) == 2
    assert all(bool(a.options.get("protect")) == (stack == "prod") for a in archives)

"""Section A of the stack config: EventBridge global endpoints."""

import json
from pathlib import Path

import pytest
import yaml

from config import ConfigError, parse

ROOT = Path(__file__).resolve().parents[2]


def problems_of(values):
    with pytest.raises(ConfigError) as caught:
        parse(values, stack="test")
    return {p.key: p for p in caught.value.problems}


def test_defaults_are_the_seed_values():
    events = parse({}, stack="t").events
    assert not events.enabled
    assert events.bus_name == "orders-bus" and events.endpoint_name == "OrdersGlobalEndpoint"
    assert events.replication_enabled and events.producer_enabled
    assert (events.latency_threshold_ms, events.alarm_evaluation_periods) == (30000, 5)
    # the template's "breaching", made safe by the heartbeat; nobody told until emails are set
    assert (events.treat_missing_data, events.insufficient_data_health_status) == ("breaching", "LastKnownStatus")
    assert events.heartbeat_enabled and events.alarm_emails == ()


def test_breaching_without_the_heartbeat_is_refused_under_the_heartbeat_key():
    # No heartbeat: a quiet bus has no latency data, and "breaching" would fail it over.
    problems = problems_of({"blueprints:eventsHeartbeatEnabled": "false"})
    assert list(problems) == ["blueprints:eventsHeartbeatEnabled"]
    assert "a quiet bus would fail over" in problems["blueprints:eventsHeartbeatEnabled"].expected
    events = parse(
        {"blueprints:eventsHeartbeatEnabled": "false", "blueprints:eventsTreatMissingData": "missing"}, stack="t"
    ).events
    assert not events.heartbeat_enabled


def test_alarm_emails_are_checked_and_passed_on():
    problems = problems_of({"blueprints:eventsAlarmEmails": '["ops@example.com", "not-an-address"]'})
    assert problems["blueprints:eventsAlarmEmails"].value == "not-an-address"
    events = parse({"blueprints:eventsAlarmEmails": '["ops@example.com"]'}, stack="t").events
    assert events.alarm_emails == ("ops@example.com",)


def test_values_are_read_and_converted():
    events = parse(
        {
            "blueprints:eventsEnabled": "true",
            "blueprints:eventsBusName": "payments-bus",
            "blueprints:eventsReplicationEnabled": "false",
            "blueprints:eventsArchiveRetentionDays": "30",
            "blueprints:eventsLogRetentionDays": "90",
            "blueprints:eventsTreatMissingData": "notBreaching",
        },
        stack="t",
    ).events
    assert events.enabled and events.bus_name == "payments-bus" and not events.replication_enabled
    assert events.archive_retention_days == 30 and events.log_retention_days == 90
    assert events.treat_missing_data == "notBreaching"


def test_bad_values_name_their_key():
    problems = problems_of(
        {
            "blueprints:eventsBusName": "orders bus",
            "blueprints:eventsEndpointName": "x" * 65,
            "blueprints:eventsTreatMissingData": "breach",
            "blueprints:eventsInsufficientDataHealthStatus": "Sick",
            "blueprints:eventsArchiveRetentionDays": "0",
            "blueprints:eventsLogRetentionDays": "10",
            "blueprints:eventsLatencyThresholdMs": "5",
            "blueprints:eventsAlarmEvaluationPeriods": "lots",
        }
    )
    for key in (
        "eventsBusName",
        "eventsEndpointName",
        "eventsTreatMissingData",
        "eventsInsufficientDataHealthStatus",
        "eventsArchiveRetentionDays",
        "eventsLogRetentionDays",
        "eventsLatencyThresholdMs",
        "eventsAlarmEvaluationPeriods",
    ):
        assert f"blueprints:{key}" in problems, key
    assert "one of missing, notBreaching" in problems["blueprints:eventsTreatMissingData"].expected
    assert "14" in problems["blueprints:eventsLogRetentionDays"].expected


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_both_shipped_stacks_enable_the_architecture(stack):
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    values = {
        k: v
        if isinstance(v, str)
        else json.dumps(v)
        if isinstance(v, list)
        else str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for k, v in raw.items()
    }
    events = parse(values, stack=stack).events
    assert events.enabled
    assert events.log_retention_days <= 90  # the cost pack's default maximum

"""Alarm presets: one table of shapes; a call names the resource and may override the judgement."""

import pytest

from components import alarms
from components.providers import child_opts


def test_a_preset_gives_every_input_and_overrides_replace_only_what_they_name(pulumi_env):
    def program():
        import pulumi

        owner = pulumi.ComponentResource("test:index:Owner", "owner")
        alarms.metric_alarm(
            "dlq",
            alarms.QUEUE_NOT_EMPTY,
            dimensions={"QueueName": "q"},
            description="waiting",
            actions=["arn:aws:sns:us-east-1:111111111111:t"],
            opts=child_opts(owner),
        )
        alarms.metric_alarm(
            "failures",
            alarms.QUEUE_NOT_EMPTY,
            dimensions={"QueueName": "q"},
            description="x",
            actions=[],
            opts=child_opts(owner),
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
        )

    result = pulumi_env.run(program)
    dlq = result.named("dlq", "aws:cloudwatch/metricAlarm:MetricAlarm").inputs
    assert (dlq["namespace"], dlq["metricName"], dlq["statistic"], dlq["threshold"]) == (
        "AWS/SQS",
        "ApproximateNumberOfMessagesVisible",
        "Maximum",
        0,
    )
    assert dlq["treatMissingData"] == "notBreaching" and dlq["alarmActions"] == ["arn:aws:sns:us-east-1:111111111111:t"]
    failures = result.named("failures", "aws:cloudwatch/metricAlarm:MetricAlarm").inputs
    assert (failures["threshold"], failures["comparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
    assert failures["period"] == alarms.QUEUE_NOT_EMPTY.period


def test_an_unknown_override_is_refused():
    with pytest.raises(TypeError):
        alarms.metric_alarm("x", alarms.API_ERRORS, dimensions={}, description="", actions=[], opts=None, threshhold=3)

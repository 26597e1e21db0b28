"""CloudWatch alarms from a table of presets: the shapes this project alarms on, written once.

A preset is the metric and how it is judged; a call adds the name, the dimensions, what it means
and whom to tell, and may override any judgement (threshold, periods) the caller needs.
Metric names and statistics: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html,
https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html,
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html,
https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-cloudwatchmetrics.html.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AlarmPreset:
    namespace: str
    metric_name: str
    statistic: str
    period: int
    evaluation_periods: int
    threshold: float
    comparison_operator: str = "GreaterThanThreshold"
    # No data is the good case for these metrics (nothing queued, no errors, nothing behind).
    treat_missing_data: str | None = "notBreaching"
    datapoints_to_alarm: int | None = None


# Messages wait in a queue (a dead-letter or failure queue: anything there needs a look).
QUEUE_NOT_EMPTY = AlarmPreset("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", 300, 1, 0)
# A REST API stage answers with server errors.
API_ERRORS = AlarmPreset("AWS/ApiGateway", "5XXError", "Sum", 60, 3, 5, datapoints_to_alarm=2)
# A stream consumer falls behind: the age of the newest record it read, in milliseconds.
ITERATOR_AGE = AlarmPreset("AWS/Lambda", "IteratorAge", "Maximum", 300, 3, 300_000)
# An OpenSearch domain has an unassigned primary shard.
CLUSTER_RED = AlarmPreset(
    "AWS/ES", "ClusterStatus.red", "Maximum", 60, 5, 1, "GreaterThanOrEqualToThreshold", treat_missing_data=None
)
# Aurora Serverless v2 runs near its maximum capacity.
ACU_HIGH = AlarmPreset("AWS/RDS", "ACUUtilization", "Average", 300, 3, 90)


def metric_alarm(
    name: str,
    preset: AlarmPreset,
    *,
    dimensions: Mapping[str, pulumi.Input[str]],
    description: str,
    actions: Sequence[pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
    **overrides,
) -> aws.cloudwatch.MetricAlarm:
    """A MetricAlarm of ``preset`` (fields of AlarmPreset in ``overrides`` replace the preset's)."""
    judged = dataclasses.replace(preset, **overrides)
    return aws.cloudwatch.MetricAlarm(
        name,
        alarm_description=description,
        namespace=judged.namespace,
        metric_name=judged.metric_name,
        dimensions=dict(dimensions),
        statistic=judged.statistic,
        period=judged.period,
        evaluation_periods=judged.evaluation_periods,
        datapoints_to_alarm=judged.datapoints_to_alarm,
        threshold=judged.threshold,
        comparison_operator=judged.comparison_operator,
        treat_missing_data=judged.treat_missing_data,
        alarm_actions=list(actions),
        opts=opts,
    )

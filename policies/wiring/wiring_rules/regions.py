"""Links AWS only accepts within one Region. Each is rejected when created or silently never used:

* an event source mapping reads a stream or queue in the function's Region
  (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html);
* a function's dead-letter queue or topic is in the function's Region
  (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq);
* an EventBridge rule's targets are in its Region, except event buses (cross-Region delivery is
  bus to bus), and its dead-letter queue is too
  (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html,
  https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html);
* an SQS queue's dead-letter queue is in the queue's account and Region
  (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html);
* a CloudWatch alarm notifies SNS topics in its own Region
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from ._compute import ESM, FUNCTION
from ._core import Finding, Item, Res, Undecided, Unknown, stack_rule
from ._graph import Graph, arn_region
from ._resource_policies import QUEUE, arn_service
from .delivery import ALARM, EVENT_TARGET


def _pair(owner: Res, home: str | None, arn, what: str, token: str) -> Iterator[Item]:
    if isinstance(arn, Unknown):
        yield Undecided(owner, arn.path, what)
        return
    if not isinstance(arn, str) or not arn.startswith("arn:") or home is None:
        return
    region = arn_region(arn)
    if region and region != home:
        yield Finding(
            owner,
            f"{token}::{region}",
            f"{what} {arn} is in {region} but {owner.name} is in {home}: AWS requires the same Region. "
            f"Fix: use a {what.split(' ')[-1]} in {home}.",
        )


def check_same_region(graph: Graph) -> Iterator[Item]:
    for function in graph.of_type(FUNCTION):
        yield from _pair(
            function,
            graph.region_of(function),
            function.get("deadLetterConfig", "targetArn"),
            "the dead-letter queue",
            "DeadLetterRegion",
        )
    for mapping in graph.of_type(ESM):
        functions = graph.lookup(mapping.props.get("functionName"), FUNCTION)
        home = graph.region_of(functions[0]) if functions else graph.region_of(mapping)
        yield from _pair(mapping, home, mapping.props.get("eventSourceArn"), "the event source", "SourceRegion")
    for target in graph.of_type(EVENT_TARGET):
        home = graph.region_of(target)
        arn = target.props.get("arn")
        if not (isinstance(arn, str) and arn_service(arn) == "event-bus"):
            yield from _pair(target, home, arn, "the rule's target", "TargetRegion")
        yield from _pair(
            target, home, target.get("deadLetterConfig", "arn"), "the dead-letter queue", "DeadLetterRegion"
        )
    for queue in graph.of_type(QUEUE):
        redrive = queue.props.get("redrivePolicy")
        if isinstance(redrive, Unknown):
            yield Undecided(queue, redrive.path, "the queue's dead-letter queue")
            continue
        try:
            target = json.loads(redrive).get("deadLetterTargetArn") if isinstance(redrive, str) and redrive else None
        except (ValueError, AttributeError):
            target = None  # not a redrive policy: AWS rejects it when the queue is created
        yield from _pair(queue, graph.region_of(queue), target, "the dead-letter queue", "DeadLetterRegion")
    for alarm in graph.of_type(ALARM):
        for key in ("alarmActions", "okActions", "insufficientDataActions"):
            actions = alarm.props.get(key) or []
            for action in [actions] if isinstance(actions, Unknown) else actions:
                if isinstance(action, Unknown) or str(action).startswith("arn:aws:sns:"):
                    yield from _pair(alarm, graph.region_of(alarm), action, "the notification topic", "TopicRegion")


RULES = [
    stack_rule(
        name="wiring-same-region",
        description=(
            "Links AWS only accepts within one Region stay in it: event source mappings, a function's "
            "dead-letter queue, EventBridge targets (other than event buses) and their dead-letter queues, "
            "SQS dead-letter queues, alarm notification topics."
        ),
        level=EnforcementLevel.MANDATORY,
        check=check_same_region,
        docs=(
            "https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html",
            "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html",
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html",
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
        ),
    ),
]

"""EventBridge routes, written once: a rule's target with its retry policy and dead-letter queue,
the queue policy that lets EventBridge deliver there, and the permission to invoke a function.

Plain functions that register children of the caller's component (no component of their own, so
the resources keep their URNs). What EventBridge needs to deliver: a resource-based policy on the
Lambda function and on the SQS dead-letter queue, each limited to the rule
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html,
https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html#eb-dlq-perms).
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components import iam

EVENTS_PRINCIPAL = "events.amazonaws.com"


def retry_policy(max_age_seconds: int = 24 * 3600, attempts: int = 185) -> aws.cloudwatch.EventTargetRetryPolicyArgs:
    """How long and how often EventBridge retries a target (defaults: its own maximum, 24 h and 185)."""
    return aws.cloudwatch.EventTargetRetryPolicyArgs(
        maximum_event_age_in_seconds=max_age_seconds, maximum_retry_attempts=attempts
    )


def target(
    name: str,
    *,
    rule: aws.cloudwatch.EventRule,
    arn: pulumi.Input[str],
    dead_letter_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
    retry: aws.cloudwatch.EventTargetRetryPolicyArgs | None = None,
    event_bus_name: pulumi.Input[str] | None = None,
    **target_args,
) -> aws.cloudwatch.EventTarget:
    """The rule's target, retried and then dead-lettered (never dropped)."""
    return aws.cloudwatch.EventTarget(
        name,
        rule=rule.name,
        event_bus_name=event_bus_name,
        arn=arn,
        retry_policy=retry or retry_policy(),
        dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=dead_letter_arn),
        opts=opts,
        **target_args,
    )


def invoke_permission(
    name: str, *, function_name: pulumi.Input[str], rule: aws.cloudwatch.EventRule, opts: pulumi.ResourceOptions
) -> aws.lambda_.Permission:
    """EventBridge may invoke the function on behalf of this rule only."""
    return aws.lambda_.Permission(
        name,
        action="lambda:InvokeFunction",
        function=function_name,
        principal=EVENTS_PRINCIPAL,
        source_arn=rule.arn,
        opts=opts,
    )


def dead_letter_policy(
    name: str,
    *,
    queue: aws.sqs.Queue,
    sid: str,
    source_arns: pulumi.Input[str] | Sequence[pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> aws.sqs.QueuePolicy:
    """EventBridge may send the failed events of the named rules to the dead-letter queue."""
    return aws.sqs.QueuePolicy(
        name,
        queue_url=queue.url,
        policy=iam.policy_document(
            [
                iam.resource_statement(
                    {"Service": EVENTS_PRINCIPAL},
                    "sqs:SendMessage",
                    queue.arn,
                    sid=sid,
                    conditions={"ArnEquals": {"aws:SourceArn": source_arns}},
                )
            ]
        ),
        opts=opts,
    )

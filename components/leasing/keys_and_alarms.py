"""The customer key of each Region (Aurora storage, SNS topics), the alarm topic, and the dead-letter
queues with their alarms."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components import alarms, iam
from components import event_routes as routes
from components.leasing.base import LeasingSite, PlatformBase

_DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to notice and redrive


class KeysAndAlarmsPart(PlatformBase):
    """Keys, alarm topics and dead-letter queues."""

    def _key(self, site: LeasingSite) -> None:
        account_root = self.account_id.apply(lambda a: f"arn:aws:iam::{a}:root")
        policy = iam.policy_document(
            [
                # The account administers the key through IAM, as in the default key policy ("*" in a key
                # policy is this key: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
                iam.resource_statement({"AWS": account_root}, "kms:*", "*", sid="AccountAdministers"),
                # EventBridge (to the encrypted lease topic) and CloudWatch alarms (to the alarm topic)
                # publish to SNS topics encrypted with this key.
                iam.resource_statement(
                    {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]},
                    ["kms:Decrypt", "kms:GenerateDataKey"],
                    "*",
                    sid="ServicesPublishToEncryptedTopics",
                    conditions={"StringEquals": {"aws:SourceAccount": self.account_id}},
                ),
            ]
        )
        site.key = aws.kms.Key(
            self._n(site, "key"),
            description=f"Leasing data in {site.region}: Aurora storage, SNS topics",
            enable_key_rotation=True,
            deletion_window_in_days=30 if self.args.protect_data else 7,
            policy=policy,
            opts=self._opts(site, protect=self.args.protect_data),
        )
        aws.kms.Alias(
            self._n(site, "key-alias"),
            name=f"alias/{self.identifier}",
            target_key_id=site.key.key_id,
            opts=self._opts(site),
        )

    def _alarm_topic(self, site: LeasingSite) -> None:
        site.alarm_topic = aws.sns.Topic(self._n(site, "alarms"), kms_master_key_id=site.key.arn, opts=self._opts(site))
        for index, email in enumerate(self.args.alarm_emails):
            aws.sns.TopicSubscription(
                self._n(site, f"alarms-email-{index}"),
                topic=site.alarm_topic.arn,
                protocol="email",
                endpoint=email,
                opts=self._opts(site),
            )

    def _queue_depth_alarm(self, site: LeasingSite, purpose: str, queue: aws.sqs.Queue) -> None:
        alarms.metric_alarm(
            self._n(site, f"{purpose}-dlq-alarm"),
            alarms.QUEUE_NOT_EMPTY,
            dimensions={"QueueName": queue.name},
            description=f"Lease events for {purpose} failed every retry and wait in {purpose} DLQ",
            actions=[site.alarm_topic.arn],
            opts=self._opts(site),
        )

    def _dead_letter_queue(
        self, site: LeasingSite, purpose: str, senders: Sequence[pulumi.Input[str]]
    ) -> aws.sqs.Queue:
        queue = aws.sqs.Queue(
            self._n(site, f"{purpose}-dlq"),
            sqs_managed_sse_enabled=True,
            message_retention_seconds=_DLQ_RETENTION_SECONDS,
            opts=self._opts(site),
        )
        if senders:
            routes.dead_letter_policy(
                self._n(site, f"{purpose}-dlq-policy"),
                queue=queue,
                sid="RulesDeadLetter",
                source_arns=list(senders),
                opts=self._opts(site),
            )
        site.dead_letter_queues[purpose] = queue
        self._queue_depth_alarm(site, purpose, queue)
        return queue

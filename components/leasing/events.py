"""The leasing event bus of each Region with its archive, and the rules to its consumers (metrics
function, encrypted SNS topic, partner API destination), each with retries and a dead-letter queue."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components import event_routes as routes
from components import iam
from components.lambda_function import PythonFunction
from components.leasing.base import LeasingSite
from components.leasing.constants import EVENT_SOURCE, LEASE_EVENT_TYPES, NOTIFIED_EVENT_TYPES, PARTNER_EVENT_TYPES
from components.leasing.keys_and_alarms import KeysAndAlarmsPart


class EventsPart(KeysAndAlarmsPart):
    """The lease bus and its consumers."""

    def _bus(self, site: LeasingSite) -> None:
        site.bus = aws.cloudwatch.EventBus(
            self._n(site, "bus"),
            name=self.identifier,
            description="Lease events from the leasing outbox",
            opts=self._opts(site),
        )
        aws.cloudwatch.EventArchive(
            self._n(site, "archive"),
            event_source_arn=site.bus.arn,
            retention_days=self.args.event_archive_days,
            description="Lease events for replay after a consumer outage",
            opts=self._opts(site),
        )

    def _rule(self, site: LeasingSite, purpose: str, detail_types: Sequence[str]) -> aws.cloudwatch.EventRule:
        rule = aws.cloudwatch.EventRule(
            self._n(site, f"{purpose}-rule"),
            event_bus_name=site.bus.name,
            description=f"Lease events to {purpose}",
            event_pattern=json.dumps({"source": [EVENT_SOURCE], "detail-type": list(detail_types)}),
            opts=self._opts(site),
        )
        site.rules[purpose] = rule
        return rule

    def _event_targets(self, site: LeasingSite, metrics_function: PythonFunction) -> None:
        args = self.args
        # Lambda: leasing activity metrics per community (deduplicated by event id).
        rule = self._rule(site, "metrics", LEASE_EVENT_TYPES)
        dlq = self._dead_letter_queue(site, "metrics", [rule.arn])
        routes.target(
            self._n(site, "metrics-target"),
            rule=rule,
            event_bus_name=site.bus.name,
            arn=metrics_function.arn,
            dead_letter_arn=dlq.arn,
            opts=self._opts(site),
        )
        routes.invoke_permission(
            self._n(site, "metrics-invoke"), function_name=metrics_function.name, rule=rule, opts=self._opts(site)
        )

        # Encrypted SNS topic: finance and administration subscribe to leases and payments.
        topic = site.lease_topic = aws.sns.Topic(
            self._n(site, "lease-topic"), kms_master_key_id=site.key.arn, opts=self._opts(site)
        )
        rule = self._rule(site, "notifications", NOTIFIED_EVENT_TYPES)
        aws.sns.TopicPolicy(
            self._n(site, "lease-topic-policy"),
            arn=topic.arn,
            policy=iam.policy_document(
                [
                    iam.resource_statement(
                        {"Service": routes.EVENTS_PRINCIPAL},
                        "sns:Publish",
                        topic.arn,
                        sid="LeasingBusPublishes",
                        conditions={"ArnEquals": {"aws:SourceArn": rule.arn}},
                    )
                ]
            ),
            opts=self._opts(site),
        )
        dlq = self._dead_letter_queue(site, "notifications", [rule.arn])
        routes.target(
            self._n(site, "notifications-target"),
            rule=rule,
            event_bus_name=site.bus.name,
            arn=topic.arn,
            dead_letter_arn=dlq.arn,
            opts=self._opts(site),
        )

        # API destination: the external property-management partner.
        if not args.partner_api_url:
            return
        placeholder = args.partner_api_key is None
        connection = aws.cloudwatch.EventConnection(
            self._n(site, "partner-connection"),
            authorization_type="API_KEY",
            description="Partner API key (EventBridge keeps it in Secrets Manager)",
            auth_parameters=aws.cloudwatch.EventConnectionAuthParametersArgs(
                api_key=aws.cloudwatch.EventConnectionAuthParametersApiKeyArgs(
                    key="x-api-key",
                    value=pulumi.Output.secret("set-with-aws-events-update-connection")
                    if placeholder
                    else pulumi.Output.secret(args.partner_api_key),
                )
            ),
            # Without a key in the stack config, the real one is set out of band: never overwrite it.
            opts=self._opts(site, ignore_changes=["authParameters"] if placeholder else None),
        )
        destination = aws.cloudwatch.EventApiDestination(
            self._n(site, "partner-destination"),
            connection_arn=connection.arn,
            invocation_endpoint=args.partner_api_url,
            http_method="POST",
            invocation_rate_limit_per_second=10,
            description="Lease events to the property-management partner",
            opts=self._opts(site),
        )
        rule = self._rule(site, "partner", PARTNER_EVENT_TYPES)
        role = aws.iam.Role(
            self._n(site, "partner-role"),
            path=iam.ROLE_PATH,
            assume_role_policy=iam.service_trust_policy(
                "events.amazonaws.com", source_account=self.account_id, source_arn=rule.arn
            ),
            description="The leasing bus calls the partner API destination",
            opts=self._opts(site),
        )
        aws.iam.RolePolicy(
            self._n(site, "partner-policy"),
            role=role.id,
            policy=iam.policy_document([iam.statement(["events:InvokeApiDestination"], [destination.arn])]),
            opts=self._opts(site),
        )
        dlq = self._dead_letter_queue(site, "partner", [rule.arn])
        routes.target(
            self._n(site, "partner-target"),
            rule=rule,
            event_bus_name=site.bus.name,
            arn=destination.arn,
            dead_letter_arn=dlq.arn,
            role_arn=role.arn,
            input_path="$.detail",
            opts=self._opts(site),
        )

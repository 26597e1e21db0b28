"""The functions of each Region: the lease API (alias ``live``), the outbox relay on a schedule, the event
metrics consumer, the failover DNS updater, and the migrations step run on every deploy."""

from __future__ import annotations

import hashlib
import json
import re

import pulumi
import pulumi_aws as aws

from components import alarms, iam
from components import event_routes as routes
from components.lambda_function import LAMBDAS_DIR, PythonFunction, PythonFunctionArgs
from components.leasing.base import LeasingSite
from components.leasing.constants import EVENT_SOURCE, METRICS_NAMESPACE
from components.leasing.database import DatabasePart
from components.leasing.events import EventsPart
from contracts import aurora_failover as failover_events

MIGRATIONS_DIR = LAMBDAS_DIR / "db_migrations" / "sql"


def schedule_seconds(expression: str) -> int:
    """The period of an EventBridge ``rate(N unit)`` schedule; 0 for a cron expression."""
    match = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", expression)
    return int(match.group(1)) * {"minute": 60, "hour": 3600, "day": 86_400}[match.group(2)] if match else 0


def migrations_digest() -> str:
    """SHA-256 over the migration files: the migrations step runs again when it changes."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class FunctionsPart(DatabasePart, EventsPart):
    """The Lambda functions and their triggers."""

    def _function(
        self,
        site: LeasingSite,
        key: str,
        source: str,
        *,
        in_vpc: bool,
        security_group: aws.ec2.SecurityGroup | None = None,
        **kwargs,
    ) -> PythonFunction:
        if in_vpc:
            kwargs.update(
                subnet_ids=site.network.private_subnet_ids, security_group_ids=[(security_group or site.function_sg).id]
            )
        function = PythonFunction(
            self._n(site, key),
            PythonFunctionArgs(
                source=source,
                log_retention_days=self.args.log_retention_days,
                packaging=self.args.lambda_packaging,
                **kwargs,
            ),
            opts=self._opts(site),
        )
        site.functions[key] = function
        return function

    def _functions(self, site: LeasingSite) -> None:
        args = self.args
        connect = iam.statement(["rds-db:connect"], self._rds_connect_arns(args.app_username))

        api = self._function(
            site,
            "lease-api",
            "lease_api",
            in_vpc=True,
            memory_mb=args.api_memory_mb,
            timeout_seconds=15,
            description="Lease API: applications, leases, rent payments",
            publish=True,
            reserved_concurrency=args.api_reserved_concurrency,
            environment=self._database_environment(),
            policy_statements=[connect],
        )
        site.api_alias = aws.lambda_.Alias(
            self._n(site, "lease-api-live"),
            name="live",
            function_name=api.name,
            function_version=api.function.version,
            opts=self._opts(site),
        )
        if args.api_provisioned_concurrency:
            aws.lambda_.ProvisionedConcurrencyConfig(
                self._n(site, "lease-api-warm"),
                function_name=api.name,
                qualifier=site.api_alias.name,
                provisioned_concurrent_executions=args.api_provisioned_concurrency,
                opts=self._opts(site),
            )

        # Every Region's relay runs; only the one whose own database is the writer relays, to the bus of
        # every Region (lambdas/lease_outbox_relay): it connects to its own Region's proxy (or cluster),
        # never the writer record, so it follows failovers and switchovers.
        buses = [s.bus.arn for s in self.sites.values()]
        relay = self._function(
            site,
            "outbox-relay",
            "lease_outbox_relay",
            in_vpc=True,
            memory_mb=256,
            timeout_seconds=60,
            description="Relays lease events from the outbox to the leasing bus of every Region",
            reserved_concurrency=1,  # one drain at a time per Region; rows are claimed with SKIP LOCKED anyway
            environment={
                **self._database_environment(),
                "DB_HOST": self._database_host(site),
                "DB_HOST_IS_ALIAS": "false",
                "EVENT_SOURCE": EVENT_SOURCE,
                "EVENT_BUS_ARNS": pulumi.Output.all(*buses).apply(",".join),
            },
            policy_statements=[connect, iam.statement(["events:PutEvents"], buses)],
        )
        schedule = aws.cloudwatch.EventRule(
            self._n(site, "outbox-schedule"),
            schedule_expression=args.relay_schedule,
            description="Drain the lease event outbox",
            opts=self._opts(site),
        )
        schedule_dlq = self._dead_letter_queue(site, "outbox-schedule", [schedule.arn])
        routes.target(
            self._n(site, "outbox-schedule-target"),
            rule=schedule,
            arn=relay.arn,
            retry=routes.retry_policy(max_age_seconds=300, attempts=2),
            dead_letter_arn=schedule_dlq.arn,
            opts=self._opts(site),
        )
        routes.invoke_permission(
            self._n(site, "outbox-schedule-invoke"), function_name=relay.name, rule=schedule, opts=self._opts(site)
        )
        relay_service = self._n(site, "outbox-relay")  # Powertools' "service" dimension of its metrics
        # Every relay reports the backlog, the standby ones too (OutboxRelayStandby 1): the wait alarm
        # fires in any Region when no relay sends, so standby itself needs no alarm.
        wait = max(900, 2 * schedule_seconds(args.relay_schedule))
        for metric, threshold, description in (
            ("OutboxStuck", 0, "Lease events keep failing PutEvents (see the relay's logs)"),
            ("OutboxOldestPendingSeconds", wait, f"Lease events wait more than {wait // 60} minutes in the outbox"),
        ):
            alarms.metric_alarm(
                self._n(site, f"{metric.lower()}-alarm"),
                alarms.AlarmPreset(
                    METRICS_NAMESPACE, metric, "Maximum", period=300, evaluation_periods=1, threshold=threshold
                ),
                dimensions={"service": relay_service},
                description=description,
                actions=[site.alarm_topic.arn],
                opts=self._opts(site),
            )

        table = aws.dynamodb.Table(
            self._n(site, "event-idempotency"),
            billing_mode="PAY_PER_REQUEST",
            hash_key="id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiration", enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            opts=self._opts(site),
        )
        metrics = self._function(
            site,
            "event-metrics",
            "lease_event_metrics",
            in_vpc=False,
            memory_mb=256,
            timeout_seconds=10,
            description="Leasing activity metrics per community from lease events",
            reserved_concurrency=10,
            environment={"IDEMPOTENCY_TABLE": table.name, "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE},
            policy_statements=[
                iam.statement(
                    ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], [table.arn]
                )
            ],
        )
        self._event_targets(site, metrics)

    def _failover(self, site: LeasingSite) -> None:
        args = self.args
        clusters = [s.cluster.arn for s in self.sites.values()]
        dlq = self._dead_letter_queue(site, "failover", [])
        function = self._function(
            site,
            "failover-dns",
            "failover_dns",
            in_vpc=False,
            memory_mb=256,
            timeout_seconds=60,
            description="Points the writer CNAME at the new Aurora global primary",
            reserved_concurrency=1,
            dead_letter_target_arn=dlq.arn,
            environment={
                "GLOBAL_CLUSTER_ID": self.global_cluster.id,
                "HOSTED_ZONE_ID": self.private_zone.zone_id,
                "RECORD_NAME": self.writer_fqdn,
                "RECORD_TTL": str(args.writer_record_ttl),
                "CLUSTER_ARNS": pulumi.Output.all(*clusters).apply(",".join),
                "WRITER_TARGETS": pulumi.Output.json_dumps(
                    {s.cluster.arn: self._database_host(s) for s in self.sites.values()}
                ),
            },
            policy_statements=[
                iam.statement(["rds:DescribeGlobalClusters"], [self.global_cluster.arn]),
                iam.statement(["rds:DescribeDBClusters"], clusters),
                iam.statement(["route53:ListResourceRecordSets"], [self.private_zone.arn]),
                iam.statement(
                    ["route53:ChangeResourceRecordSets"],
                    [self.private_zone.arn],
                    conditions={
                        "ForAllValues:StringEquals": {
                            "route53:ChangeResourceRecordSetsNormalizedRecordNames": [self.writer_fqdn],
                            "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"],
                            "route53:ChangeResourceRecordSetsActions": ["UPSERT"],
                        }
                    },
                ),
            ],
        )
        rule = aws.cloudwatch.EventRule(
            self._n(site, "failover-rule"),
            description="Aurora global database switchover finished / failover completed",
            event_pattern=pulumi.Output.json_dumps(failover_events.event_pattern(clusters)),
            opts=self._opts(site),
        )
        site.rules["failover"] = rule
        routes.dead_letter_policy(
            self._n(site, "failover-dlq-policy"),
            queue=dlq,
            sid="FailoverRuleDeadLetter",
            source_arns=rule.arn,
            opts=self._opts(site),
        )
        routes.target(
            self._n(site, "failover-target"),
            rule=rule,
            arn=function.arn,
            retry=routes.retry_policy(max_age_seconds=3600, attempts=20),
            dead_letter_arn=dlq.arn,
            opts=self._opts(site),
        )
        routes.invoke_permission(
            self._n(site, "failover-invoke"), function_name=function.name, rule=rule, opts=self._opts(site)
        )

    def _migrations(self) -> None:
        """The only function with the master user: through the proxy with an IAM token (the proxy
        holds the secret), or without a proxy with the secret's password."""
        primary, args = self.primary, self.args
        environment = self._database_environment(args.master_username)
        if args.rds_proxy:
            access = [iam.statement(["rds-db:connect"], self._rds_connect_arns(args.master_username))]
        else:
            environment.update(DB_AUTH="secret", DB_SECRET_ARN=self.master_secret.arn)
            # Encrypted with the AWS managed key aws/secretsmanager: no kms:Decrypt grant needed
            # (https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html).
            access = [iam.statement(["secretsmanager:GetSecretValue"], [self.master_secret.arn])]
        function = self._function(
            primary,
            "db-migrations",
            "db_migrations",
            in_vpc=True,
            memory_mb=256,
            timeout_seconds=300,
            description="Applies the leasing schema migrations and creates the application user",
            reserved_concurrency=1,
            environment=environment,
            policy_statements=access,
        )
        digest = migrations_digest()
        database = [primary.proxy_target] if primary.proxy_target is not None else []
        self.migrations = aws.lambda_.Invocation(
            f"{self.name}-migrate",
            function_name=function.name,
            input=json.dumps({"migrations_sha256": digest}),
            triggers={"migrations_sha256": digest},
            opts=self._opts(primary, depends_on=[*database, *filter(None, [self.writer_record]), *primary.instances]),
        )

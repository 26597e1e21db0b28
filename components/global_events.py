"""Architecture A: an EventBridge global endpoint over two same-named buses in two Regions.

What it creates (seed: "Introducing global endpoints for Amazon EventBridge"):

- the event bus (default ``orders-bus``) in the primary and in the secondary Region, same name,
  same account, each with an archive (so events routed to the secondary can be replayed) and a
  catch-all rule to a CloudWatch log group (the post's test set-up; the failover drill reads it);
- in the primary Region, the health alarm on ``AWS/Events`` ``IngestionToInvocationStartLatency``
  (Average over 60 s, 5 periods, above 30 000 ms) and a Route 53 ``CLOUDWATCH_METRIC`` health check
  on it;
- the replication role (trusted by ``events.amazonaws.com``, ``events:PutEvents`` on the two bus
  ARNs only) and the global endpoint with failover routing to the secondary Region and replication;
- per Region, the idempotent order consumer: a Lambda behind a rule on the order events, the target
  with a retry policy and a DLQ, Powertools idempotency on a DynamoDB table with TTL, keyed on the
  order id (event ids differ across Regions);
- optionally, in the primary Region, the loss-free producer: the producer Lambda (PutEvents through
  the endpoint, retries, SQS store-and-forward), the buffer queue with its DLQ and the redrive
  Lambda behind an SQS event source.

Missing data on the health alarm. ``IngestionToInvocationStartLatency`` only has data points when
events are delivered to targets, so a quiet bus has none. The heartbeat (on by default) makes
``breaching``, the EventBridge template's default, safe: an EventBridge Scheduler schedule puts one
small event a minute straight on the primary bus (not through the endpoint, so the signal measures
the primary Region whichever way the endpoint routes), where the catch-all rule delivers it to its
log group; the metric then always has data while the primary Region works, and no data means it
does not: an outage in which nothing is ingested fails over, and the endpoint fails back once
heartbeats are delivered again. Without the heartbeat, ``breaching`` would fail over a quiet bus, so
the Args refuse that combination (``missing`` with ``LastKnownStatus`` is then the choice).

Alarms tell someone: the latency alarm (ALARM and OK), every dead-letter queue, the producer's
failed invocations and the age of the buffer's oldest message notify the Region's alerts topic,
whose e-mail subscriptions come from the config.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import alarms, iam
from components import event_routes as routes
from components.lambda_function import LambdaPackaging, PythonFunction, PythonFunctionArgs
from components.providers import account_id, child_opts
from components.rules import events as rules
from components.rules.formats import log_retention_problem

ORDER_DETAIL_TYPE = "OrderCreated"  # what lambdas/order_consumer records
HEARTBEAT_SOURCE = "blueprints.heartbeat"
HEARTBEAT_DETAIL_TYPE = "Heartbeat"
HEARTBEAT_RATE = "rate(1 minute)"  # one data point per alarm period (60 s)
# Buffered events older than this mean PutEvents has been failing for a while (the redrive retries
# every visibility timeout): someone should look before the buffer's ~24 h of tries run out.
BUFFER_AGE_ALARM_SECONDS = 900
PRODUCER_MAX_EVENT_AGE_SECONDS = 6 * 3600  # Lambda's maximum for asynchronous invocations
_SOURCE = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
_ENDPOINT_HOST_SUFFIX = ".endpoint.events.amazonaws.com"


@dataclass(frozen=True)
class GlobalEventBusArgs:
    """Settings of a global event bus; defaults are the seed's values (see the module docstring)."""

    primary_provider: pulumi.ProviderResource
    secondary_provider: pulumi.ProviderResource
    primary_region: str = "us-east-1"
    secondary_region: str = "us-west-2"
    bus_name: str = "orders-bus"
    endpoint_name: str = "OrdersGlobalEndpoint"
    endpoint_description: str = "Orders events; fails over to the secondary Region when the primary is unhealthy"
    replication_enabled: bool = True
    # Health alarm: the EventBridge template's recommended defaults.
    latency_threshold_ms: int = 30_000
    alarm_period_seconds: int = 60
    alarm_evaluation_periods: int = 5
    treat_missing_data: str = "breaching"  # the template's default; safe with the heartbeat
    insufficient_data_health_status: str = "LastKnownStatus"
    heartbeat_enabled: bool = True
    alarm_emails: tuple[str, ...] = ()  # subscribed to each Region's alerts topic
    archive_retention_days: int = 7
    log_retention_days: int = 14  # catch-all log groups and the functions' own logs
    # Order consumer (both Regions)
    order_source: str = "com.aws.Orders"
    consumer_memory_mb: int = 256
    consumer_timeout_seconds: int = 30
    target_max_event_age_seconds: int = 86_400  # EventBridge's own 24 h horizon
    target_max_retry_attempts: int = 185
    idempotency_ttl_seconds: int | None = None  # default: the archive retention (replays stay deduplicated)
    # Producer (primary Region)
    producer_enabled: bool = True
    buffer_delay_seconds: int = 60
    buffer_max_receive_count: int = 240  # with a 6-minute visibility timeout: about 24 h of redrive tries
    protect_stateful: bool = False
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self) -> None:
        problems: list[str] = []
        for field_name in ("primary_provider", "secondary_provider"):
            if not isinstance(getattr(self, field_name), pulumi.ProviderResource):
                problems.append(f"{field_name} must be a pulumi.ProviderResource (an aws.Provider)")
        if not self.primary_region or not self.secondary_region:
            problems.append("primary_region and secondary_region are required")
        elif self.primary_region == self.secondary_region:
            problems.append(f"secondary_region must differ from primary_region ({self.primary_region})")
        for argument, value, problem in (
            ("bus_name", self.bus_name, rules.bus_name_problem(self.bus_name)),
            ("endpoint_name", self.endpoint_name, rules.endpoint_name_problem(self.endpoint_name)),
            (
                "archive_retention_days",
                self.archive_retention_days,
                rules.archive_retention_problem(self.archive_retention_days),
            ),
            ("log_retention_days", self.log_retention_days, log_retention_problem(self.log_retention_days)),
        ):
            if problem:
                problems.append(f"{argument} {value!r}: expected {problem}")
        if len(self.endpoint_description) > 512:
            problems.append("endpoint_description: at most 512 characters")
        if not _SOURCE.match(self.order_source) or self.order_source.startswith("aws."):
            problems.append(f"order_source {self.order_source!r}: a custom source (not 'aws.*')")
        if self.latency_threshold_ms <= 0:
            problems.append(f"latency_threshold_ms must be positive, got {self.latency_threshold_ms}")
        if self.alarm_period_seconds not in (10, 20, 30) and (
            self.alarm_period_seconds <= 0 or self.alarm_period_seconds % 60
        ):
            problems.append(
                f"alarm_period_seconds must be 10, 20, 30 or a multiple of 60, got {self.alarm_period_seconds}"
            )
        if self.alarm_evaluation_periods < 1:
            problems.append(f"alarm_evaluation_periods must be at least 1, got {self.alarm_evaluation_periods}")
        elif self.alarm_period_seconds * self.alarm_evaluation_periods > 86_400:
            problems.append("alarm_period_seconds x alarm_evaluation_periods must not exceed one day")
        if self.treat_missing_data not in rules.TREAT_MISSING_DATA:
            problems.append(f"treat_missing_data must be one of {', '.join(rules.TREAT_MISSING_DATA)}")
        if self.insufficient_data_health_status not in rules.INSUFFICIENT_DATA_HEALTH:
            problems.append(
                "insufficient_data_health_status must be one of " + ", ".join(rules.INSUFFICIENT_DATA_HEALTH)
            )
        quiet = rules.quiet_bus_problem(
            self.treat_missing_data, self.insufficient_data_health_status, self.heartbeat_enabled
        )
        if quiet:
            problems.append(f"treat_missing_data {self.treat_missing_data!r} with heartbeat_enabled False: {quiet}")
        if not 60 <= self.target_max_event_age_seconds <= 86_400:
            problems.append("target_max_event_age_seconds must be between 60 and 86400")
        if not 0 <= self.target_max_retry_attempts <= 185:
            problems.append("target_max_retry_attempts must be between 0 and 185")
        if self.idempotency_ttl_seconds is not None and self.idempotency_ttl_seconds < 60:
            problems.append("idempotency_ttl_seconds must be at least 60")
        if not 0 <= self.buffer_delay_seconds <= 900:
            problems.append("buffer_delay_seconds must be between 0 and 900")
        if not 1 <= self.buffer_max_receive_count <= 1000:
            problems.append("buffer_max_receive_count must be between 1 and 1000")
        if problems:
            raise ValueError("invalid GlobalEventBusArgs: " + "; ".join(problems))

    @property
    def effective_idempotency_ttl_seconds(self) -> int:
        return self.idempotency_ttl_seconds or self.archive_retention_days * 86_400


def endpoint_id_from_url(url: str) -> str:
    """``https://abcde.veo.endpoint.events.amazonaws.com`` -> ``abcde.veo`` (the PutEvents EndpointId)."""
    host = url.removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    if not host.endswith(_ENDPOINT_HOST_SUFFIX):
        raise ValueError(f"not a global endpoint URL: {url}")
    return host[: -len(_ENDPOINT_HOST_SUFFIX)]


def _resource_policy(
    principals: list[str],
    actions: list[str],
    resources: list[pulumi.Input[str]],
    source_arn: pulumi.Input[str] | None = None,
) -> pulumi.Output[str]:
    """A resource policy for AWS service principals; with ``source_arn``, on behalf of one rule only."""
    conditions = {"ArnEquals": {"aws:SourceArn": source_arn}} if source_arn is not None else None
    return iam.policy_document(
        [iam.resource_statement({"Service": principals}, actions, resources, conditions=conditions)]
    )


class EventBusRegion(pulumi.ComponentResource):
    """One Region's side: the bus, its archive, the catch-all log and the idempotent order consumer."""

    def __init__(
        self,
        name: str,
        args: GlobalEventBusArgs,
        *,
        region: str,
        provider: pulumi.ProviderResource,
        opts: pulumi.ResourceOptions | None = None,
    ):
        super().__init__("blueprints:global_events:EventBusRegion", name, None, opts)
        self.region = region
        child = child_opts(self, provider)
        stateful = child_opts(self, provider, protect=args.protect_stateful, retain_on_delete=args.protect_stateful)

        # Same physical name in both Regions: the endpoint requires it.
        self.bus = aws.cloudwatch.EventBus(f"{name}-bus", name=args.bus_name, opts=child)
        self.archive = aws.cloudwatch.EventArchive(
            f"{name}-archive",
            event_source_arn=self.bus.arn,
            retention_days=args.archive_retention_days,
            description=f"Every event on {args.bus_name} in {region}, for replay after a failover",
            opts=stateful,
        )

        # Catch-all: every event on the bus, into a log group (EventBridge requires /aws/events/...).
        self.catch_all_log_group = aws.cloudwatch.LogGroup(
            f"{name}-catch-all-logs",
            name=f"/aws/events/{args.bus_name}-catch-all",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.catch_all_rule = aws.cloudwatch.EventRule(
            f"{name}-catch-all",
            event_bus_name=self.bus.name,
            description="Every event on the bus, to CloudWatch Logs (tests and failover drills)",
            event_pattern=json.dumps({"source": [{"prefix": ""}]}),
            opts=child,
        )
        self.catch_all_logs_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-catch-all-logs-policy",
            policy_name=f"{args.bus_name}-catch-all-from-eventbridge",
            # The shape EventBridge documents for log targets (no aws:SourceArn condition, which
            # it does not document for CloudWatch Logs), limited to this one log group.
            policy_document=_resource_policy(
                ["events.amazonaws.com", "delivery.logs.amazonaws.com"],
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [self.catch_all_log_group.arn.apply(lambda arn: f"{arn}:*")],
            ),
            opts=child,
        )
        # One DLQ for every failure point of the Region: EventBridge unable to deliver to the
        # catch-all log group or the consumer, and the consumer failing all of Lambda's retries.
        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-orders-dlq", message_retention_seconds=1_209_600, sqs_managed_sse_enabled=True, opts=child
        )
        # The heartbeat's delivery here is what the failover signal measures: retried, then kept.
        self.catch_all_target = routes.target(
            f"{name}-catch-all-target",
            rule=self.catch_all_rule,
            event_bus_name=self.bus.name,
            arn=self.catch_all_log_group.arn,
            dead_letter_arn=self.dead_letter_queue.arn,
            retry=routes.retry_policy(args.target_max_event_age_seconds, args.target_max_retry_attempts),
            opts=child_opts(self, provider, depends_on=[self.catch_all_logs_policy]),
        )

        # Where this Region's alarms notify (CloudWatch alarm actions name a topic of their own
        # Region). Not KMS-encrypted: CloudWatch cannot publish to a topic under the AWS-managed SNS
        # key, and alarm notifications carry no data
        # (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
        self.alerts_topic = aws.sns.Topic(f"{name}-alerts", opts=child)
        self.alert_subscriptions = [
            aws.sns.TopicSubscription(
                f"{name}-alerts-email-{index}",
                topic=self.alerts_topic.arn,
                protocol="email",
                endpoint=email,
                opts=child,
            )
            for index, email in enumerate(args.alarm_emails)
        ]

        self._order_consumer(name, args, child, stateful)
        self.dead_letter_alarm = alarms.metric_alarm(
            f"{name}-orders-dlq-alarm",
            alarms.QUEUE_NOT_EMPTY,
            dimensions={"QueueName": self.dead_letter_queue.name},
            description=f"Order events the consumer in {region} could not process: see the DLQ",
            actions=[self.alerts_topic.arn],
            opts=child,
        )
        self.register_outputs(
            {
                "busArn": self.bus.arn,
                "archiveArn": self.archive.arn,
                "catchAllLogGroup": self.catch_all_log_group.name,
                "orderConsumer": self.consumer.name,
            }
        )

    def _order_consumer(
        self, name: str, args: GlobalEventBusArgs, child: pulumi.ResourceOptions, stateful: pulumi.ResourceOptions
    ) -> None:
        # Powertools idempotency records: key "id", TTL attribute "expiration". Rebuildable state.
        self.idempotency_table = aws.dynamodb.Table(
            f"{name}-idempotency",
            billing_mode="PAY_PER_REQUEST",
            hash_key="id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiration", enabled=True),
            opts=child,
        )
        # The consumer's business state: per-customer order totals.
        self.orders_table = aws.dynamodb.Table(
            f"{name}-orders",
            billing_mode="PAY_PER_REQUEST",
            hash_key="customer_id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="customer_id", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=args.protect_stateful),
            deletion_protection_enabled=args.protect_stateful,
            opts=stateful,
        )
        self.order_rule = aws.cloudwatch.EventRule(
            f"{name}-orders",
            event_bus_name=self.bus.name,
            description=f"{ORDER_DETAIL_TYPE} events from {args.order_source} to the order consumer",
            event_pattern=json.dumps({"source": [args.order_source], "detail-type": [ORDER_DETAIL_TYPE]}),
            opts=child,
        )
        self.consumer = PythonFunction(
            f"{name}-order-consumer",
            PythonFunctionArgs(
                source="order_consumer",
                description=f"Records {ORDER_DETAIL_TYPE} events once (idempotent on detail.order_id)",
                memory_mb=args.consumer_memory_mb,
                timeout_seconds=args.consumer_timeout_seconds,
                environment={
                    "IDEMPOTENCY_TABLE_NAME": self.idempotency_table.name,
                    "ORDERS_TABLE_NAME": self.orders_table.name,
                    "IDEMPOTENCY_TTL_SECONDS": str(args.effective_idempotency_ttl_seconds),
                },
                policy_statements=[
                    iam.statement(
                        ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
                        [self.idempotency_table.arn],
                    ),
                    iam.statement(["dynamodb:UpdateItem"], [self.orders_table.arn]),
                ],
                log_retention_days=args.log_retention_days,
                packaging=args.lambda_packaging,
                dead_letter_target_arn=self.dead_letter_queue.arn,
            ),
            opts=child,
        )
        self.dead_letter_queue_policy = routes.dead_letter_policy(
            f"{name}-orders-dlq-policy",
            queue=self.dead_letter_queue,
            sid="EventBridgeRulesOfThisBus",
            source_arns=[self.order_rule.arn, self.catch_all_rule.arn],
            opts=child,
        )
        self.invoke_permission = routes.invoke_permission(
            f"{name}-orders-invoke", function_name=self.consumer.name, rule=self.order_rule, opts=child
        )
        self.order_target = routes.target(
            f"{name}-orders-target",
            rule=self.order_rule,
            event_bus_name=self.bus.name,
            arn=self.consumer.arn,
            retry=routes.retry_policy(args.target_max_event_age_seconds, args.target_max_retry_attempts),
            dead_letter_arn=self.dead_letter_queue.arn,
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[self.invoke_permission, self.dead_letter_queue_policy])
            ),
        )


class GlobalEventBus(pulumi.ComponentResource):
    def __init__(self, name: str, args: GlobalEventBusArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:global_events:GlobalEventBus", name, None, opts)
        primary_opts = child_opts(self, args.primary_provider)

        self.primary = EventBusRegion(
            f"{name}-primary", args, region=args.primary_region, provider=args.primary_provider, opts=child_opts(self)
        )
        self.secondary = EventBusRegion(
            f"{name}-secondary",
            args,
            region=args.secondary_region,
            provider=args.secondary_provider,
            opts=child_opts(self),
        )
        bus_arns = [self.primary.bus.arn, self.secondary.bus.arn]

        self.heartbeat = self.heartbeat_role = None
        if args.heartbeat_enabled:
            self._heartbeat(name, args, primary_opts)

        # Failover signal, in the primary Region. The metric is account-level: no dimensions.
        self.latency_alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-latency",
            alarm_description=(
                f"EventBridge in {args.primary_region}: average ingestion-to-invocation latency "
                f"above {args.latency_threshold_ms} ms for {args.alarm_evaluation_periods} periods "
                f"of {args.alarm_period_seconds} s. Drives the failover of {args.endpoint_name}."
            ),
            namespace="AWS/Events",
            metric_name="IngestionToInvocationStartLatency",
            statistic="Average",
            period=args.alarm_period_seconds,
            evaluation_periods=args.alarm_evaluation_periods,
            threshold=args.latency_threshold_ms,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data=args.treat_missing_data,
            # Told when the endpoint fails over and when it fails back.
            alarm_actions=[self.primary.alerts_topic.arn],
            ok_actions=[self.primary.alerts_topic.arn],
            opts=primary_opts,
        )
        self.health_check = aws.route53.HealthCheck(
            f"{name}-health",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=self.latency_alarm.name,
            cloudwatch_alarm_region=args.primary_region,
            insufficient_data_health_status=args.insufficient_data_health_status,
            tags={"Name": f"{args.endpoint_name}-LatencyFailuresHealthCheck"},
            opts=primary_opts,
        )

        self.replication_role = None
        self.replication_role_policy = None
        depends: list[pulumi.Resource] = []
        if args.replication_enabled:
            # No aws:SourceAccount/SourceArn condition: the managed replication rules are created
            # by EventBridge itself, and a role can only be given to an endpoint by someone allowed
            # to pass it in this account.
            self.replication_role = aws.iam.Role(
                f"{name}-replication",
                path=iam.ROLE_PATH,
                description=f"EventBridge replication between the two {args.bus_name} buses",
                assume_role_policy=iam.service_trust_policy("events.amazonaws.com"),
                opts=primary_opts,
            )
            self.replication_role_policy = aws.iam.RolePolicy(
                f"{name}-replication-policy",
                role=self.replication_role.id,
                policy=iam.policy_document([iam.statement(["events:PutEvents"], bus_arns)]),
                opts=primary_opts,
            )
            depends.append(self.replication_role_policy)

        Failover = aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigArgs
        self.endpoint = aws.cloudwatch.EventEndpoint(
            f"{name}-endpoint",
            name=args.endpoint_name,
            description=args.endpoint_description,
            event_buses=[aws.cloudwatch.EventEndpointEventBusArgs(event_bus_arn=arn) for arn in bus_arns],
            routing_config=aws.cloudwatch.EventEndpointRoutingConfigArgs(
                failover_config=Failover(
                    primary=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigPrimaryArgs(
                        health_check=self.health_check.arn
                    ),
                    secondary=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigSecondaryArgs(
                        route=args.secondary_region
                    ),
                )
            ),
            replication_config=aws.cloudwatch.EventEndpointReplicationConfigArgs(
                state="ENABLED" if args.replication_enabled else "DISABLED"
            ),
            role_arn=self.replication_role.arn if self.replication_role is not None else None,
            opts=pulumi.ResourceOptions.merge(primary_opts, pulumi.ResourceOptions(depends_on=depends)),
        )
        self.endpoint_url = self.endpoint.endpoint_url
        self.endpoint_id = self.endpoint.endpoint_url.apply(endpoint_id_from_url)

        self.producer = self.redrive = self.buffer_queue = self.buffer_dead_letter_queue = None
        self.redrive_source = self.producer_failures = self.producer_invoke_config = None
        if args.producer_enabled:
            self._producer(name, args, primary_opts, bus_arns)

        outputs = {
            "endpointId": self.endpoint_id,
            "endpointUrl": self.endpoint_url,
            "primaryBusArn": self.primary.bus.arn,
            "secondaryBusArn": self.secondary.bus.arn,
            "healthCheckId": self.health_check.id,
            "alarmName": self.latency_alarm.name,
            "catchAllLogGroup": self.primary.catch_all_log_group.name,
        }
        if self.producer is not None:
            outputs["producerFunctionName"] = self.producer.name
            outputs["bufferQueueUrl"] = self.buffer_queue.url
            outputs["bufferDeadLetterQueueUrl"] = self.buffer_dead_letter_queue.url
            outputs["producerFailuresQueueUrl"] = self.producer_failures.url
        self.outputs = outputs
        self.register_outputs(outputs)

    def _heartbeat(self, name: str, args: GlobalEventBusArgs, primary_opts: pulumi.ResourceOptions) -> None:
        """One small event a minute straight on the primary bus (EventBridge Scheduler's templated
        EventBridge PutEvents target, https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html);
        the catch-all rule delivers it, which is what IngestionToInvocationStartLatency measures."""
        account = account_id(args.primary_provider)
        self.heartbeat_role = aws.iam.Role(
            f"{name}-heartbeat",
            path=iam.ROLE_PATH,
            description=f"Heartbeat events on {args.bus_name}",
            assume_role_policy=iam.service_trust_policy("scheduler.amazonaws.com", source_account=account),
            opts=primary_opts,
        )
        self.heartbeat_policy = aws.iam.RolePolicy(
            f"{name}-heartbeat-put",
            role=self.heartbeat_role.id,
            policy=iam.policy_document([iam.statement(["events:PutEvents"], [self.primary.bus.arn])]),
            opts=primary_opts,
        )
        self.heartbeat = aws.scheduler.Schedule(
            f"{name}-heartbeat",
            description=f"Keeps IngestionToInvocationStartLatency populated in {args.primary_region}",
            schedule_expression=HEARTBEAT_RATE,
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=self.primary.bus.arn,
                role_arn=self.heartbeat_role.arn,
                eventbridge_parameters=aws.scheduler.ScheduleTargetEventbridgeParametersArgs(
                    detail_type=HEARTBEAT_DETAIL_TYPE, source=HEARTBEAT_SOURCE
                ),
                input=json.dumps({"purpose": "failover signal heartbeat"}),
                # A late heartbeat measures nothing: no retries beyond the minute.
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_event_age_in_seconds=60, maximum_retry_attempts=0
                ),
            ),
            opts=pulumi.ResourceOptions.merge(primary_opts, pulumi.ResourceOptions(depends_on=[self.heartbeat_policy])),
        )

    def _producer(
        self,
        name: str,
        args: GlobalEventBusArgs,
        primary_opts: pulumi.ResourceOptions,
        bus_arns: list[pulumi.Output[str]],
    ) -> None:
        redrive_timeout = 60
        # PutEvents through a global endpoint is authorised against the bus it is routed to, so
        # the producer and the redrive may put on both buses (and nothing else).
        put_events = iam.statement(["events:PutEvents"], bus_arns)
        self.buffer_dead_letter_queue = aws.sqs.Queue(
            f"{name}-buffer-dlq", message_retention_seconds=1_209_600, sqs_managed_sse_enabled=True, opts=primary_opts
        )
        self.buffer_queue = aws.sqs.Queue(
            f"{name}-buffer",
            message_retention_seconds=1_209_600,
            # AWS's advice for an SQS event source: at least six times the function timeout.
            visibility_timeout_seconds=6 * redrive_timeout,
            sqs_managed_sse_enabled=True,
            redrive_policy=self.buffer_dead_letter_queue.arn.apply(
                lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": args.buffer_max_receive_count})
            ),
            opts=primary_opts,
        )
        # Asynchronous invocations Lambda gave up on (after its two retries or the maximum age) land
        # here as invocation records carrying the request; a queue of its own, as their format
        # differs from the buffer's entries.
        self.producer_failures = aws.sqs.Queue(
            f"{name}-producer-failures",
            message_retention_seconds=1_209_600,
            sqs_managed_sse_enabled=True,
            opts=primary_opts,
        )
        dead_letter_send = iam.statement(["sqs:SendMessage"], [self.buffer_dead_letter_queue.arn])
        self.producer = PythonFunction(
            f"{name}-producer",
            PythonFunctionArgs(
                source="event_producer",
                description=f"Publishes to {args.endpoint_name} with retries and SQS store-and-forward",
                memory_mb=256,
                timeout_seconds=30,
                environment={
                    "EVENT_BUS_NAME": args.bus_name,
                    "EVENT_ENDPOINT_ID": self.endpoint_id,
                    "BUFFER_QUEUE_URL": self.buffer_queue.url,
                    # entries PutEvents refuses for good (access denied, malformed) go here at once
                    "BUFFER_DLQ_URL": self.buffer_dead_letter_queue.url,
                    "BUFFER_DELAY_SECONDS": str(args.buffer_delay_seconds),
                },
                policy_statements=[
                    put_events,
                    iam.statement(["sqs:SendMessage"], [self.buffer_queue.arn]),
                    dead_letter_send,
                    # the on-failure destination is sent with the function's role
                    iam.statement(["sqs:SendMessage"], [self.producer_failures.arn]),
                ],
                log_retention_days=args.log_retention_days,
                packaging=args.lambda_packaging,
            ),
            opts=primary_opts,
        )
        self.redrive = PythonFunction(
            f"{name}-redrive",
            PythonFunctionArgs(
                source="event_redrive",
                description=f"Republishes buffered events to {args.endpoint_name}",
                memory_mb=256,
                timeout_seconds=redrive_timeout,
                environment={
                    "EVENT_ENDPOINT_ID": self.endpoint_id,
                    "BUFFER_DLQ_URL": self.buffer_dead_letter_queue.url,
                },
                policy_statements=[
                    put_events,
                    dead_letter_send,
                    iam.statement(
                        [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:GetQueueAttributes",
                            "sqs:ChangeMessageVisibility",
                        ],
                        [self.buffer_queue.arn],
                    ),
                ],
                log_retention_days=args.log_retention_days,
                packaging=args.lambda_packaging,
            ),
            opts=primary_opts,
        )
        self.redrive_source = aws.lambda_.EventSourceMapping(
            f"{name}-redrive-source",
            event_source_arn=self.buffer_queue.arn,
            function_name=self.redrive.arn,
            batch_size=10,
            maximum_batching_window_in_seconds=5,
            function_response_types=["ReportBatchItemFailures"],  # delete only what was republished
            # Keep the republishing gentle on a Region that is just recovering.
            scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=2),
            opts=pulumi.ResourceOptions.merge(
                primary_opts, pulumi.ResourceOptions(depends_on=[self.redrive.role_policy])
            ),
        )
        # Lambda's asynchronous invocations: two retries within six hours, then the failure queue
        # (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
        self.producer_invoke_config = aws.lambda_.FunctionEventInvokeConfig(
            f"{name}-producer-async",
            function_name=self.producer.name,
            maximum_retry_attempts=2,
            maximum_event_age_in_seconds=PRODUCER_MAX_EVENT_AGE_SECONDS,
            destination_config=aws.lambda_.FunctionEventInvokeConfigDestinationConfigArgs(
                on_failure=aws.lambda_.FunctionEventInvokeConfigDestinationConfigOnFailureArgs(
                    destination=self.producer_failures.arn
                )
            ),
            opts=pulumi.ResourceOptions.merge(
                primary_opts, pulumi.ResourceOptions(depends_on=[self.producer.role_policy])
            ),
        )

        topic = [self.primary.alerts_topic.arn]
        self.buffer_alarms = [
            alarms.metric_alarm(
                f"{name}-buffer-dlq-alarm",
                alarms.QUEUE_NOT_EMPTY,
                dimensions={"QueueName": self.buffer_dead_letter_queue.name},
                description="Events PutEvents refused for good, or that failed ~24 h of redrives: "
                "fix the cause, then python -m tools.eventbridge_recovery redrive-buffer-dlq",
                actions=topic,
                opts=primary_opts,
            ),
            alarms.metric_alarm(
                f"{name}-producer-failures-alarm",
                alarms.QUEUE_NOT_EMPTY,
                dimensions={"QueueName": self.producer_failures.name},
                description="Producer invocations Lambda gave up on: the records carry the request to re-invoke",
                actions=topic,
                opts=primary_opts,
            ),
            # Oldest buffered event: EventBridge has refused PutEvents for a while (SQS metric
            # ApproximateAgeOfOldestMessage, seconds).
            alarms.metric_alarm(
                f"{name}-buffer-age-alarm",
                alarms.QUEUE_NOT_EMPTY,
                dimensions={"QueueName": self.buffer_queue.name},
                description=f"Events have waited over {BUFFER_AGE_ALARM_SECONDS // 60} minutes in the buffer: "
                "PutEvents keeps failing",
                actions=topic,
                opts=primary_opts,
                metric_name="ApproximateAgeOfOldestMessage",
                threshold=BUFFER_AGE_ALARM_SECONDS,
            ),
        ]

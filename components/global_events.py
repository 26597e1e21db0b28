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
events are delivered to targets, so a quiet bus has none. Treated as ``breaching`` (or as
``missing`` with a health check that says ``Unhealthy`` on insufficient data) a quiet bus would fail
over, which the template's own description warns about. ``notBreaching`` never fails over a quiet
bus, but also not an outage that stops the metric altogether. The default here, ``missing`` with the
health check's ``LastKnownStatus``, keeps the last verdict: a quiet bus stays healthy (a new health
check with no last status is healthy), and an outage that silences the metric after the alarm fired
stays failed over until data comes back.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.lambda_function import LOG_RETENTION_DAYS, PythonFunction, PythonFunctionArgs

ORDER_DETAIL_TYPE = "OrderCreated"  # what lambdas/order_consumer records
TREAT_MISSING_DATA = ("missing", "notBreaching", "breaching", "ignore")
INSUFFICIENT_DATA_HEALTH = ("LastKnownStatus", "Healthy", "Unhealthy")
_BUS_NAME = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
_ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
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
    treat_missing_data: str = "missing"
    insufficient_data_health_status: str = "LastKnownStatus"
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

    def __post_init__(self) -> None:
        problems: list[str] = []
        for field_name in ("primary_provider", "secondary_provider"):
            if not isinstance(getattr(self, field_name), pulumi.ProviderResource):
                problems.append(f"{field_name} must be a pulumi.ProviderResource (an aws.Provider)")
        if not self.primary_region or not self.secondary_region:
            problems.append("primary_region and secondary_region are required")
        elif self.primary_region == self.secondary_region:
            problems.append(f"secondary_region must differ from primary_region ({self.primary_region})")
        if not _BUS_NAME.match(self.bus_name):
            problems.append(f"bus_name {self.bus_name!r}: 1-256 letters, digits, '.', '_' or '-'")
        if not _ENDPOINT_NAME.match(self.endpoint_name):
            problems.append(f"endpoint_name {self.endpoint_name!r}: 1-64 letters, digits, '.', '_' or '-'")
        if len(self.endpoint_description) > 512:
            problems.append("endpoint_description: at most 512 characters")
        if not _SOURCE.match(self.order_source) or self.order_source.startswith("aws."):
            problems.append(f"order_source {self.order_source!r}: a custom source (not 'aws.*')")
        if self.latency_threshold_ms <= 0:
            problems.append(f"latency_threshold_ms must be positive, got {self.latency_threshold_ms}")
        if self.alarm_period_seconds not in (10, 20, 30) and (
            self.alarm_period_seconds <= 0 or self.alarm_period_seconds % 60
        ):
            problems.append(f"alarm_period_seconds must be 10, 20, 30 or a multiple of 60, got {self.alarm_period_seconds}")
        if self.alarm_evaluation_periods < 1:
            problems.append(f"alarm_evaluation_periods must be at least 1, got {self.alarm_evaluation_periods}")
        elif self.alarm_period_seconds * self.alarm_evaluation_periods > 86_400:
            problems.append("alarm_period_seconds x alarm_evaluation_periods must not exceed one day")
        if self.treat_missing_data not in TREAT_MISSING_DATA:
            problems.append(f"treat_missing_data must be one of {', '.join(TREAT_MISSING_DATA)}")
        if self.insufficient_data_health_status not in INSUFFICIENT_DATA_HEALTH:
            problems.append(f"insufficient_data_health_status must be one of {', '.join(INSUFFICIENT_DATA_HEALTH)}")
        if not 1 <= self.archive_retention_days <= 3650:
            # 0 would mean "keep forever", billed forever: say so explicitly with a large number.
            problems.append(f"archive_retention_days must be between 1 and 3650, got {self.archive_retention_days}")
        if self.log_retention_days not in LOG_RETENTION_DAYS:
            problems.append(f"log_retention_days must be one of {sorted(LOG_RETENTION_DAYS)}")
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


def _resource_policy(principals: list[str], actions: list[str], resources: list[pulumi.Input[str]],
                     source_arn: pulumi.Input[str] | None = None) -> pulumi.Output[str]:
    """A resource policy for AWS service principals; with ``source_arn``, on behalf of one rule only."""
    statement: dict = {
        "Effect": "Allow",
        "Principal": {"Service": principals},
        "Action": actions,
        "Resource": resources,
    }
    if source_arn is not None:
        statement["Condition"] = {"ArnEquals": {"aws:SourceArn": source_arn}}
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [statement]})


class EventBusRegion(pulumi.ComponentResource):
    """One Region's side: the bus, its archive, the catch-all log and the idempotent order consumer."""

    def __init__(self, name: str, args: GlobalEventBusArgs, *, region: str,
                 provider: pulumi.ProviderResource, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:global_events:EventBusRegion", name, None, opts)
        self.region = region
        child = pulumi.ResourceOptions(parent=self, provider=provider)
        stateful = pulumi.ResourceOptions(parent=self, provider=provider, protect=args.protect_stateful,
                                          retain_on_delete=args.protect_stateful)

        # Same physical name in both Regions: the endpoint requires it.
        self.bus = aws.cloudwatch.EventBus(f"{name}-bus", name=args.bus_name, opts=child)
        self.archive = aws.cloudwatch.EventArchive(
            f"{name}-archive", event_source_arn=self.bus.arn, retention_days=args.archive_retention_days,
            description=f"Every event on {args.bus_name} in {region}, for replay after a failover",
            opts=stateful)

        # Catch-all: every event on the bus, into a log group (EventBridge requires /aws/events/...).
        self.catch_all_log_group = aws.cloudwatch.LogGroup(
            f"{name}-catch-all-logs", name=f"/aws/events/{args.bus_name}-catch-all",
            retention_in_days=args.log_retention_days, opts=child)
        self.catch_all_rule = aws.cloudwatch.EventRule(
            f"{name}-catch-all", event_bus_name=self.bus.name,
            description="Every event on the bus, to CloudWatch Logs (tests and failover drills)",
            event_pattern=json.dumps({"source": [{"prefix": ""}]}), opts=child)
        self.catch_all_logs_policy = aws.cloudwatch.LogResourcePolicy(
            f"{name}-catch-all-logs-policy", policy_name=f"{args.bus_name}-catch-all-from-eventbridge",
            # The shape EventBridge documents for log targets (no aws:SourceArn condition, which
            # it does not document for CloudWatch Logs), limited to this one log group.
            policy_document=_resource_policy(
                ["events.amazonaws.com", "delivery.logs.amazonaws.com"],
                ["logs:CreateLogStream", "logs:PutLogEvents"],
                [self.catch_all_log_group.arn.apply(lambda arn: f"{arn}:*")]),
            opts=child)
        self.catch_all_target = aws.cloudwatch.EventTarget(
            f"{name}-catch-all-target", rule=self.catch_all_rule.name, event_bus_name=self.bus.name,
            arn=self.catch_all_log_group.arn,
            opts=pulumi.ResourceOptions(parent=self, provider=provider, depends_on=[self.catch_all_logs_policy]))

        self._order_consumer(name, args, child, stateful)
        self.register_outputs({"busArn": self.bus.arn, "archiveArn": self.archive.arn,
                               "catchAllLogGroup": self.catch_all_log_group.name,
                               "orderConsumer": self.consumer.name})

    def _order_consumer(self, name: str, args: GlobalEventBusArgs, child: pulumi.ResourceOptions,
                        stateful: pulumi.ResourceOptions) -> None:
        # Powertools idempotency records: key "id", TTL attribute "expiration". Rebuildable state.
        self.idempotency_table = aws.dynamodb.Table(
            f"{name}-idempotency", billing_mode="PAY_PER_REQUEST", hash_key="id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
            ttl=aws.dynamodb.TableTtlArgs(attribute_name="expiration", enabled=True),
            opts=child)
        # The consumer's business state: per-customer order totals.
        self.orders_table = aws.dynamodb.Table(
            f"{name}-orders", billing_mode="PAY_PER_REQUEST", hash_key="customer_id",
            attributes=[aws.dynamodb.TableAttributeArgs(name="customer_id", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=args.protect_stateful),
            deletion_protection_enabled=args.protect_stateful,
            opts=stateful)
        # One DLQ for both failure points: EventBridge unable to invoke the function, and the
        # function failing all of Lambda's asynchronous retries.
        self.dead_letter_queue = aws.sqs.Queue(
            f"{name}-orders-dlq", message_retention_seconds=1_209_600, sqs_managed_sse_enabled=True,
            opts=child)

        self.order_rule = aws.cloudwatch.EventRule(
            f"{name}-orders", event_bus_name=self.bus.name,
            description=f"{ORDER_DETAIL_TYPE} events from {args.order_source} to the order consumer",
            event_pattern=json.dumps({"source": [args.order_source], "detail-type": [ORDER_DETAIL_TYPE]}),
            opts=child)
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
                    iam.statement(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                   "dynamodb:DeleteItem"], [self.idempotency_table.arn]),
                    iam.statement(["dynamodb:UpdateItem"], [self.orders_table.arn]),
                ],
                log_retention_days=args.log_retention_days,
                dead_letter_target_arn=self.dead_letter_queue.arn,
            ),
            opts=child)
        self.dead_letter_queue_policy = aws.sqs.QueuePolicy(
            f"{name}-orders-dlq-policy", queue_url=self.dead_letter_queue.url,
            policy=_resource_policy(["events.amazonaws.com"], ["sqs:SendMessage"],
                                    [self.dead_letter_queue.arn], self.order_rule.arn),
            opts=child)
        self.invoke_permission = aws.lambda_.Permission(
            f"{name}-orders-invoke", action="lambda:InvokeFunction", function=self.consumer.name,
            principal="events.amazonaws.com", source_arn=self.order_rule.arn, opts=child)
        self.order_target = aws.cloudwatch.EventTarget(
            f"{name}-orders-target", rule=self.order_rule.name, event_bus_name=self.bus.name,
            arn=self.consumer.arn,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_event_age_in_seconds=args.target_max_event_age_seconds,
                maximum_retry_attempts=args.target_max_retry_attempts),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=self.dead_letter_queue.arn),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                depends_on=[self.invoke_permission, self.dead_letter_queue_policy])))


class GlobalEventBus(pulumi.ComponentResource):
    def __init__(self, name: str, args: GlobalEventBusArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:global_events:GlobalEventBus", name, None, opts)
        primary_opts = pulumi.ResourceOptions(parent=self, provider=args.primary_provider)

        self.primary = EventBusRegion(f"{name}-primary", args, region=args.primary_region,
                                      provider=args.primary_provider, opts=pulumi.ResourceOptions(parent=self))
        self.secondary = EventBusRegion(f"{name}-secondary", args, region=args.secondary_region,
                                        provider=args.secondary_provider, opts=pulumi.ResourceOptions(parent=self))
        bus_arns = [self.primary.bus.arn, self.secondary.bus.arn]

        # Failover signal, in the primary Region. The metric is account-level: no dimensions.
        self.latency_alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-latency",
            alarm_description=(f"EventBridge in {args.primary_region}: average ingestion-to-invocation latency "
                               f"above {args.latency_threshold_ms} ms for {args.alarm_evaluation_periods} periods "
                               f"of {args.alarm_period_seconds} s. Drives the failover of {args.endpoint_name}."),
            namespace="AWS/Events",
            metric_name="IngestionToInvocationStartLatency",
            statistic="Average",
            period=args.alarm_period_seconds,
            evaluation_periods=args.alarm_evaluation_periods,
            threshold=args.latency_threshold_ms,
            comparison_operator="GreaterThanThreshold",
            treat_missing_data=args.treat_missing_data,
            opts=primary_opts)
        self.health_check = aws.route53.HealthCheck(
            f"{name}-health",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=self.latency_alarm.name,
            cloudwatch_alarm_region=args.primary_region,
            insufficient_data_health_status=args.insufficient_data_health_status,
            tags={"Name": f"{args.endpoint_name}-LatencyFailuresHealthCheck"},
            opts=primary_opts)

        self.replication_role = None
        self.replication_role_policy = None
        depends: list[pulumi.Resource] = []
        if args.replication_enabled:
            # No aws:SourceAccount/SourceArn condition: the managed replication rules are created
            # by EventBridge itself, and a role can only be given to an endpoint by someone allowed
            # to pass it in this account.
            self.replication_role = aws.iam.Role(
                f"{name}-replication", path=iam.ROLE_PATH,
                description=f"EventBridge replication between the two {args.bus_name} buses",
                assume_role_policy=iam.service_trust_policy("events.amazonaws.com"),
                opts=primary_opts)
            self.replication_role_policy = aws.iam.RolePolicy(
                f"{name}-replication-policy", role=self.replication_role.id,
                policy=iam.policy_document([iam.statement(["events:PutEvents"], bus_arns)]),
                opts=primary_opts)
            depends.append(self.replication_role_policy)

        Failover = aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigArgs
        self.endpoint = aws.cloudwatch.EventEndpoint(
            f"{name}-endpoint",
            name=args.endpoint_name,
            description=args.endpoint_description,
            event_buses=[aws.cloudwatch.EventEndpointEventBusArgs(event_bus_arn=arn) for arn in bus_arns],
            routing_config=aws.cloudwatch.EventEndpointRoutingConfigArgs(failover_config=Failover(
                primary=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigPrimaryArgs(
                    health_check=self.health_check.arn),
                secondary=aws.cloudwatch.EventEndpointRoutingConfigFailoverConfigSecondaryArgs(
                    route=args.secondary_region),
            )),
            replication_config=aws.cloudwatch.EventEndpointReplicationConfigArgs(
                state="ENABLED" if args.replication_enabled else "DISABLED"),
            role_arn=self.replication_role.arn if self.replication_role is not None else None,
            opts=pulumi.ResourceOptions.merge(primary_opts, pulumi.ResourceOptions(depends_on=depends)))
        self.endpoint_url = self.endpoint.endpoint_url
        self.endpoint_id = self.endpoint.endpoint_url.apply(endpoint_id_from_url)

        self.producer = self.redrive = self.buffer_queue = self.buffer_dead_letter_queue = None
        self.redrive_source = None
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
        self.outputs = outputs
        self.register_outputs(outputs)

    def _producer(self, name: str, args: GlobalEventBusArgs, primary_opts: pulumi.ResourceOptions,
                  bus_arns: list[pulumi.Output[str]]) -> None:
        redrive_timeout = 60
        # PutEvents through a global endpoint is authorised against the bus it is routed to, so
        # the producer and the redrive may put on both buses (and nothing else).
        put_events = iam.statement(["events:PutEvents"], bus_arns)
        self.buffer_dead_letter_queue = aws.sqs.Queue(
            f"{name}-buffer-dlq", message_retention_seconds=1_209_600, sqs_managed_sse_enabled=True,
            opts=primary_opts)
        self.buffer_queue = aws.sqs.Queue(
            f"{name}-buffer",
            message_retention_seconds=1_209_600,
            # AWS's advice for an SQS event source: at least six times the function timeout.
            visibility_timeout_seconds=6 * redrive_timeout,
            sqs_managed_sse_enabled=True,
            redrive_policy=self.buffer_dead_letter_queue.arn.apply(lambda arn: json.dumps(
                {"deadLetterTargetArn": arn, "maxReceiveCount": args.buffer_max_receive_count})),
            opts=primary_opts)
        self.producer = PythonFunction(
            f"{name}-producer",
            PythonFunctionArgs(
                source="event_producer",
                description=f"Publishes to {args.endpoint_name} with retries and SQS store-and-forward",
                memory_mb=256, timeout_seconds=30,
                environment={
                    "EVENT_BUS_NAME": args.bus_name,
                    "EVENT_ENDPOINT_ID": self.endpoint_id,
                    "BUFFER_QUEUE_URL": self.buffer_queue.url,
                    "BUFFER_DELAY_SECONDS": str(args.buffer_delay_seconds),
                },
                policy_statements=[put_events, iam.statement(["sqs:SendMessage"], [self.buffer_queue.arn])],
                log_retention_days=args.log_retention_days,
            ),
            opts=primary_opts)
        self.redrive = PythonFunction(
            f"{name}-redrive",
            PythonFunctionArgs(
                source="event_redrive",
                description=f"Republishes buffered events to {args.endpoint_name}",
                memory_mb=256, timeout_seconds=redrive_timeout,
                environment={"EVENT_ENDPOINT_ID": self.endpoint_id},
                policy_statements=[
                    put_events,
                    iam.statement(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                   "sqs:ChangeMessageVisibility"], [self.buffer_queue.arn]),
                ],
                log_retention_days=args.log_retention_days,
            ),
            opts=primary_opts)
        self.redrive_source = aws.lambda_.EventSourceMapping(
            f"{name}-redrive-source",
            event_source_arn=self.buffer_queue.arn,
            function_name=self.redrive.arn,
            batch_size=10,
            maximum_batching_window_in_seconds=5,
            function_response_types=["ReportBatchItemFailures"],  # delete only what was republished
            # Keep the republishing gentle on a Region that is just recovering.
            scaling_config=aws.lambda_.EventSourceMappingScalingConfigArgs(maximum_concurrency=2),
            opts=pulumi.ResourceOptions.merge(primary_opts, pulumi.ResourceOptions(
                depends_on=[self.redrive.role_policy])))

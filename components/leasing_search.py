"""The search side of the leasing platform (architecture C): Kinesis -> indexer Lambda -> OpenSearch,
and the search Lambda that answers multi-parameter listing searches.

Producers put listing changes on an encrypted Kinesis stream. An event source mapping feeds the
indexer (bounded retries, bisect on error, partial batch responses, an SQS failure destination that
also receives the records the indexer rejects as unindexable). The OpenSearch domain lives in the
parent's private subnets with encryption at rest, node-to-node encryption, HTTPS only (TLS 1.2+) and
fine-grained access control. Its master user is a bootstrap function the stack invokes to install
the index template and map the indexer and search roles to narrow OpenSearch roles.

Sizes per stack come from the stack config (dev: one small node; prod: three data nodes across
three AZs, dedicated masters, UltraWarm and cold storage, which the post uses for its read-only
community data). The component never reads config: the parent (``LeasingPlatform``) passes the
provider, the VPC and its private subnets, and the values.

Given the lease bus (``lease_bus_name``), rules route "Lease Created" and "Listing Changed" events
to the stream (EventBridge role, partition key from the event, dead-letter queue): the producer
path; other systems put listing changes with ``lambdas/shared/search_stream.py``.

The functions reach SQS from the private subnets: the parent's network needs an ``sqs`` interface
endpoint (or a NAT). Kinesis polling and the failure destination are done by the Lambda service
itself and need no network path.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from components import alarms, iam, security_groups
from components import event_routes as routes
from components.lambda_function import LambdaPackaging, PythonFunction, PythonFunctionArgs
from components.providers import account_id, child_opts
from components.rules import leasing as rules

TEMPLATE_PATH = Path(__file__).resolve().parent.parent / "lambdas" / "search_bootstrap" / "index_template.json"
STREAM_MODES = ("PROVISIONED", "ON_DEMAND")
# TLS 1.2 minimum with forward secrecy only.
TLS_POLICY = "Policy-Min-TLS-1-2-PFS-2023-10"
SEARCH_ROUTE = "GET/listings/search"
_BOOTSTRAP_ACTIONS = ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPut", "es:ESHttpPost"]
_ALIAS = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_COMPONENT_NAME = re.compile(r"^[a-z][a-z0-9-]{2,19}$")
MAX_RECORD_AGE_SECONDS = 604_800  # the event source mapping's ceiling (7 days)
# Where a record that keeps failing for a reason that heals is parked (with its payload), as a share
# of the mapping's MaximumRecordAgeInSeconds: parked by the indexer before the mapping gives up on it.
PARK_SHARE_OF_RECORD_AGE = 0.5
# The search events on the lease bus, each routed to the stream with its partition key (the listing
# it changes, so changes to one listing stay in order): what lambdas/search_indexer/changes.py reads.
SEARCH_EVENTS = (
    ("lease-created", "Lease Created", "$.detail.unit_id"),
    ("listing-changed", "Listing Changed", "$.detail.listing_id"),
)
# Index age at which read-only history indices move to UltraWarm, then cold storage (ISM, installed by
# the bootstrap: lambdas/search_bootstrap/bootstrap.py); the history rolls over every 30 days.
TIER_AGES_DAYS = {"warm_after_days": 60, "cold_after_days": 365}
_DLQ_RETENTION_SECONDS = 14 * 24 * 3600


def fgac_principal(role: aws.iam.Role) -> pulumi.Output[str]:
    """The role as fine-grained access control sees a caller: OpenSearch derives it from the
    assumed-role session, which carries no IAM path, so a mapping (or master user) written with the
    role's path (/blueprints/...) would never match."""
    return pulumi.Output.all(role.arn, role.name).apply(
        lambda values: f"{values[0].split(':role/', 1)[0]}:role/{values[1]}"
    )


def template_sha256() -> str:
    return hashlib.sha256(TEMPLATE_PATH.read_bytes()).hexdigest()


@dataclass(frozen=True)
class LeasingSearchArgs:
    """What the parent provides (provider and network) plus the per-stack sizes."""

    provider: pulumi.ProviderResource
    region: str
    vpc_id: pulumi.Input[str]
    vpc_cidr_block: str
    subnet_ids: Sequence[pulumi.Input[str]]  # private subnets, one per AZ, in AZ order
    # Stream and event source mapping
    stream_mode: str = "PROVISIONED"
    shard_count: int = 1
    retention_hours: int = 24
    batch_size: int = 100
    batch_window_seconds: int = 1
    max_retry_attempts: int = 3
    parallelization_factor: int = 1
    # OpenSearch domain
    engine_version: str = "OpenSearch_2.19"
    instance_type: str = "t3.small.search"
    instance_count: int = 1
    master_type: str = ""
    master_count: int = 0
    warm_type: str = ""
    warm_count: int = 0
    cold_storage: bool = False
    volume_gb: int = 10
    create_service_linked_role: bool = False
    index_alias: str = "listings"
    # Functions
    indexer_memory_mb: int = 512
    indexer_timeout_seconds: int = 60
    search_memory_mb: int = 512
    search_timeout_seconds: int = 10
    log_retention_days: int = 30
    # Optional wiring: a REST API of the parent gets GET /listings/search (execution ARN: the invoke
    # permission; API and root resource ids: the route itself).
    api_execution_arn: pulumi.Input[str] | None = None
    rest_api_id: pulumi.Input[str] | None = None
    rest_api_root_resource_id: pulumi.Input[str] | None = None
    api_authorization: str = "AWS_IAM"
    alarm_topic_arn: pulumi.Input[str] | None = None
    # Optional producer path: rules on this bus route the search events (SEARCH_EVENTS) to the stream.
    lease_bus_name: pulumi.Input[str] | None = None
    lease_bus_arn: pulumi.Input[str] | None = None
    lease_event_source: str = "blueprints.leasing"
    listing_event_sources: tuple[str, ...] = ("blueprints.listings",)
    protect: bool = False  # keep the domain on delete and replacement (stateful)
    tags: dict[str, str] = field(default_factory=dict)
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self):
        problems = self.problems()
        if problems:
            raise ValueError("invalid LeasingSearchArgs:\n  - " + "\n  - ".join(problems))

    @property
    def zone_count(self) -> int:
        """AZs the data nodes spread over: one for a single node, else one per subnet given (2 or 3)."""
        return 1 if self.instance_count == 1 else min(len(self.subnet_ids), 3)

    @property
    def tiers(self) -> dict[str, int] | None:
        """The ISM tier ages when the domain has both UltraWarm and cold storage, else None (hot only)."""
        return dict(TIER_AGES_DAYS) if self.warm_count and self.cold_storage else None

    @property
    def max_record_age_seconds(self) -> int:
        # Give up on a record no later than the stream would drop it.
        return min(self.retention_hours * 3600, MAX_RECORD_AGE_SECONDS)

    @property
    def index_replicas(self) -> int:
        # One copy of the (single) shard per data node, at most primary + 2 replicas.
        return min(self.instance_count - 1, 2)

    def problems(self) -> list[str]:
        p: list[str] = []
        if self.stream_mode not in STREAM_MODES:
            p.append(f"stream_mode must be one of {', '.join(STREAM_MODES)}, got {self.stream_mode!r}")
        if self.stream_mode == "PROVISIONED" and not 1 <= self.shard_count <= 500:
            p.append(f"shard_count must be between 1 and 500 for a provisioned stream, got {self.shard_count}")
        if not 24 <= self.retention_hours <= 8760:
            p.append(f"retention_hours must be between 24 and 8760, got {self.retention_hours}")
        if not 1 <= self.batch_size <= 10_000:
            p.append(f"batch_size must be between 1 and 10000, got {self.batch_size}")
        if not 0 <= self.batch_window_seconds <= 300:
            p.append(f"batch_window_seconds must be between 0 and 300, got {self.batch_window_seconds}")
        if not 0 <= self.max_retry_attempts <= 10_000:
            p.append(f"max_retry_attempts must be between 0 and 10000 (bounded), got {self.max_retry_attempts}")
        if not 1 <= self.parallelization_factor <= 10:
            p.append(f"parallelization_factor must be between 1 and 10, got {self.parallelization_factor}")
        if not rules.SEARCH_ENGINE_VERSION.match(self.engine_version):
            p.append(f"engine_version must look like OpenSearch_2.19, got {self.engine_version!r}")
        for label, value in (
            ("instance_type", self.instance_type),
            ("master_type", self.master_type),
            ("warm_type", self.warm_type),
        ):
            if value and not rules.SEARCH_INSTANCE_TYPE.match(value):
                p.append(f"{label} must be an OpenSearch instance type such as r6g.large.search, got {value!r}")
        if not _ALIAS.match(self.index_alias):
            p.append(f"index_alias must be a lower-case index name, got {self.index_alias!r}")
        try:
            ipaddress.ip_network(self.vpc_cidr_block)
        except ValueError:
            p.append(f"vpc_cidr_block must be a CIDR block, got {self.vpc_cidr_block!r}")
        if not self.subnet_ids:
            p.append("subnet_ids must name at least one private subnet")
        if (self.lease_bus_name is None) != (self.lease_bus_arn is None):
            p.append("lease_bus_name and lease_bus_arn go together")
        if (self.rest_api_id is None) != (self.rest_api_root_resource_id is None):
            p.append("rest_api_id and rest_api_root_resource_id go together")
        if self.rest_api_id is not None and self.api_execution_arn is None:
            p.append("a route on rest_api_id needs api_execution_arn (for the invoke permission)")
        if self.api_authorization not in ("AWS_IAM", "COGNITO_USER_POOLS", "CUSTOM"):
            p.append(
                f"api_authorization must be AWS_IAM, COGNITO_USER_POOLS or CUSTOM (never NONE), got {self.api_authorization!r}"
            )
        zones = None if self.instance_count <= 1 else min(len(self.subnet_ids), 3)
        count_problem = rules.data_node_count_problem(self.instance_count, zones)
        if count_problem:
            p.append(f"instance_count ({self.instance_count}) must be {count_problem}")
        for argument, value, expected in rules.search_topology_problems(
            instance_type=self.instance_type,
            instance_count=self.instance_count,
            master_type=self.master_type,
            master_count=self.master_count,
            warm_type=self.warm_type,
            warm_count=self.warm_count,
            cold_storage=self.cold_storage,
        ):
            p.append(f"{argument} {value!r}: expected {expected}")
        if not 10 <= self.volume_gb <= 16_384:
            p.append(f"volume_gb must be between 10 and 16384, got {self.volume_gb}")
        return p


class LeasingSearch(pulumi.ComponentResource):
    """Children: ``stream``, ``failure_queue``, ``functions_security_group``,
    ``domain_security_group``, ``domain``, ``domain_policy``, ``indexer``, ``event_source_mapping``,
    ``search``, ``bootstrap``, ``bootstrap_invocation``, ``alarms``."""

    def __init__(self, name: str, args: LeasingSearchArgs, opts: pulumi.ResourceOptions | None = None):
        if not _COMPONENT_NAME.match(name):
            # The domain is auto-named <name>-<7 random>: domain names are 3-28 lower-case characters.
            raise ValueError(
                f"LeasingSearch name must be 3-20 lower-case letters, digits or '-', starting "
                f"with a letter (it prefixes the domain name), got {name!r}"
            )
        super().__init__("blueprints:leasing:LeasingSearch", name, None, opts)
        self.args = args
        self._stream_and_failure_queue(name, args)
        self._network_access(name, args)
        self._bootstrap_function(name, args)
        self._domain(name, args)
        self._functions(name, args)
        self._access_policy(name, args)
        self._indexer_mapping(name, args)
        self._bootstrap_run(name, args)
        self._api_route(name, args)
        self._search_event_routes(name, args)
        self._alarms(name, args)

        self.stream_name = self.stream.name
        self.stream_arn = self.stream.arn
        self.domain_endpoint = self.domain.endpoint
        self.search_function_arn = self.search.function.arn
        self.search_invoke_arn = self.search.function.invoke_arn
        self.register_outputs(
            {
                "streamName": self.stream.name,
                "streamArn": self.stream.arn,
                "domainEndpoint": self.domain.endpoint,
                "domainArn": self.domain.arn,
                "failureQueueUrl": self.failure_queue.url,
                "indexerFunction": self.indexer.function.name,
                "searchFunction": self.search.function.name,
                "searchInvokeArn": self.search.function.invoke_arn,
            }
        )

    def _child(self, **kwargs) -> pulumi.ResourceOptions:
        return child_opts(self, self.args.provider, **kwargs)

    def _stream_and_failure_queue(self, name: str, args: LeasingSearchArgs) -> None:
        child = self._child
        self.stream = aws.kinesis.Stream(
            f"{name}-listings",
            stream_mode_details=aws.kinesis.StreamStreamModeDetailsArgs(stream_mode=args.stream_mode),
            shard_count=args.shard_count if args.stream_mode == "PROVISIONED" else None,
            retention_period=args.retention_hours,
            # The AWS-managed key: encrypted at rest at no key charge.
            encryption_type="KMS",
            kms_key_id="alias/aws/kinesis",
            tags=args.tags,
            opts=child(),
        )
        # Holds what could not be indexed: the mapping's own batch records after bounded retries,
        # and the records the indexer rejects as unindexable (with their payload).
        self.failure_queue = aws.sqs.Queue(
            f"{name}-index-failures",
            message_retention_seconds=14 * 24 * 3600,  # the SQS maximum: time to fix and replay
            sqs_managed_sse_enabled=True,
            tags=args.tags,
            opts=child(),
        )

    def _network_access(self, name: str, args: LeasingSearchArgs) -> None:
        child = self._child
        self.functions_security_group = aws.ec2.SecurityGroup(
            f"{name}-functions",
            vpc_id=args.vpc_id,
            description="Search functions: HTTPS to the OpenSearch domain and the VPC endpoints",
            tags={**args.tags, "Name": f"{name}-functions"},
            opts=child(),
        )
        self.functions_egress = security_groups.tcp_egress(
            f"{name}-functions-https-out",
            security_group_id=self.functions_security_group.id,
            cidr=args.vpc_cidr_block,
            description="HTTPS inside the VPC: the search domain and interface endpoints (SQS)",
            opts=child(),
        )
        self.domain_security_group = aws.ec2.SecurityGroup(
            f"{name}-domain",
            vpc_id=args.vpc_id,
            description="OpenSearch domain: HTTPS from the search functions only",
            tags={**args.tags, "Name": f"{name}-domain"},
            opts=child(),
        )
        self.domain_ingress = security_groups.tcp_ingress(
            f"{name}-domain-https-in",
            security_group_id=self.domain_security_group.id,
            source_security_group_id=self.functions_security_group.id,
            description="HTTPS from the search functions (indexer, search API, bootstrap)",
            opts=child(),
        )

    def _vpc_function(self, args: LeasingSearchArgs) -> dict:
        """What every search function shares: the private subnets, its security group, logs, packaging."""
        return dict(
            subnet_ids=list(args.subnet_ids),
            security_group_ids=[self.functions_security_group.id],
            log_retention_days=args.log_retention_days,
            packaging=args.lambda_packaging,
        )

    def _bootstrap_function(self, name: str, args: LeasingSearchArgs) -> None:
        """First: its role is the domain's master user."""
        child, vpc_function = self._child, self._vpc_function(args)
        self.bootstrap = PythonFunction(
            f"{name}-bootstrap",
            PythonFunctionArgs(
                source="search_bootstrap",
                memory_mb=256,
                timeout_seconds=60,
                description="Installs the listing index template and maps the search roles (FGAC master user)",
                **vpc_function,
            ),
            opts=child(),
        )

    def _domain(self, name: str, args: LeasingSearchArgs) -> None:
        child = self._child
        depends: list[pulumi.Resource] = []
        if args.create_service_linked_role:
            # One per account: create it here only if no other stack (or the console) has.
            self.service_linked_role = aws.iam.ServiceLinkedRole(
                f"{name}-opensearch-slr", aws_service_name="opensearchservice.amazonaws.com", opts=child()
            )
            depends.append(self.service_linked_role)
        multi_az = args.instance_count > 1
        self.domain = aws.opensearch.Domain(
            f"{name}",
            engine_version=args.engine_version,
            cluster_config=aws.opensearch.DomainClusterConfigArgs(
                instance_type=args.instance_type,
                instance_count=args.instance_count,
                zone_awareness_enabled=multi_az,
                zone_awareness_config=aws.opensearch.DomainClusterConfigZoneAwarenessConfigArgs(
                    availability_zone_count=args.zone_count
                )
                if multi_az
                else None,
                dedicated_master_enabled=bool(args.master_count),
                dedicated_master_count=args.master_count or None,
                dedicated_master_type=args.master_type or None,
                warm_enabled=bool(args.warm_count),
                warm_count=args.warm_count or None,
                warm_type=args.warm_type or None,
                cold_storage_options=aws.opensearch.DomainClusterConfigColdStorageOptionsArgs(enabled=args.cold_storage)
                if args.warm_count
                else None,
            ),
            ebs_options=aws.opensearch.DomainEbsOptionsArgs(
                ebs_enabled=True, volume_type="gp3", volume_size=args.volume_gb
            ),
            vpc_options=aws.opensearch.DomainVpcOptionsArgs(
                subnet_ids=list(args.subnet_ids)[: args.zone_count],
                security_group_ids=[self.domain_security_group.id],
            ),
            encrypt_at_rest=aws.opensearch.DomainEncryptAtRestArgs(enabled=True),
            node_to_node_encryption=aws.opensearch.DomainNodeToNodeEncryptionArgs(enabled=True),
            domain_endpoint_options=aws.opensearch.DomainDomainEndpointOptionsArgs(
                enforce_https=True, tls_security_policy=TLS_POLICY
            ),
            advanced_security_options=aws.opensearch.DomainAdvancedSecurityOptionsArgs(
                enabled=True,
                anonymous_auth_enabled=False,
                internal_user_database_enabled=False,
                master_user_options=aws.opensearch.DomainAdvancedSecurityOptionsMasterUserOptionsArgs(
                    master_user_arn=fgac_principal(self.bootstrap.role)
                ),
            ),
            software_update_options=aws.opensearch.DomainSoftwareUpdateOptionsArgs(auto_software_update_enabled=True),
            tags=args.tags,
            opts=child(depends_on=depends, protect=args.protect, retain_on_delete=args.protect),
        )

    def _functions(self, name: str, args: LeasingSearchArgs) -> None:
        """The indexer and search functions, and the bootstrap's access once the domain exists."""
        child, vpc_function, domain_arn = self._child, self._vpc_function(args), self.domain.arn
        self.indexer = PythonFunction(
            f"{name}-indexer",
            PythonFunctionArgs(
                source="search_indexer",
                memory_mb=args.indexer_memory_mb,
                timeout_seconds=args.indexer_timeout_seconds,
                description="Kinesis listing changes to OpenSearch bulk upserts (partial batch responses)",
                environment={
                    "OPENSEARCH_ENDPOINT": self.domain.endpoint,
                    "INDEX_NAME": args.index_alias,
                    "FAILURE_QUEUE_URL": self.failure_queue.url,
                    "OPENSEARCH_TIMEOUT_SECONDS": "10",
                    "BULK_MAX_ATTEMPTS": "3",
                    "HISTORY_ALIAS": f"{args.index_alias}-history",
                    "PARK_RETRYABLE_AFTER_SECONDS": str(int(args.max_record_age_seconds * PARK_SHARE_OF_RECORD_AGE)),
                },
                policy_statements=[
                    iam.statement(
                        [
                            "kinesis:DescribeStream",
                            "kinesis:DescribeStreamSummary",
                            "kinesis:GetRecords",
                            "kinesis:GetShardIterator",
                            "kinesis:ListShards",
                        ],
                        [self.stream.arn],
                    ),
                    # Rejected records (from the function) and failed batches (from the mapping).
                    iam.statement(["sqs:SendMessage"], [self.failure_queue.arn]),
                    iam.statement(["es:ESHttpPost"], [domain_arn.apply(lambda arn: f"{arn}/_bulk")]),
                ],
                **vpc_function,
            ),
            opts=child(),
        )
        self.search = PythonFunction(
            f"{name}-api",
            PythonFunctionArgs(
                source="search_api",
                memory_mb=args.search_memory_mb,
                timeout_seconds=args.search_timeout_seconds,
                description="Multi-parameter listing search (OpenSearch query DSL)",
                environment={"OPENSEARCH_ENDPOINT": self.domain.endpoint, "INDEX_NAME": args.index_alias},
                policy_statements=[
                    iam.statement(
                        ["es:ESHttpGet", "es:ESHttpPost"],
                        [domain_arn.apply(lambda arn: f"{arn}/{args.index_alias}/_search")],
                    ),
                ],
                **vpc_function,
            ),
            opts=child(),
        )
        # Added after the domain exists: the domain names this role as its master user.
        self.bootstrap_policy = aws.iam.RolePolicy(
            f"{name}-bootstrap-opensearch",
            role=self.bootstrap.role.id,
            policy=iam.policy_document([iam.statement(_BOOTSTRAP_ACTIONS, [domain_arn.apply(lambda arn: f"{arn}/*")])]),
            opts=child(),
        )

    def _access_policy(self, name: str, args: LeasingSearchArgs) -> None:
        """The domain's resource policy names each role and what it may call; fine-grained access
        control (roles installed by the bootstrap) then limits them to the listing index."""
        child, domain_arn = self._child, self.domain.arn

        def access_policy(values: list) -> str:
            arn, indexer_role, search_role, bootstrap_role = values
            allow = [
                (indexer_role, ["es:ESHttpPost"], f"{arn}/_bulk"),
                (search_role, ["es:ESHttpGet", "es:ESHttpPost"], f"{arn}/{args.index_alias}/_search"),
                (bootstrap_role, _BOOTSTRAP_ACTIONS, f"{arn}/*"),
            ]
            return json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": role}, "Action": actions, "Resource": resource}
                        for role, actions, resource in allow
                    ],
                }
            )

        self.domain_policy = aws.opensearch.DomainPolicy(
            f"{name}-access",
            domain_name=self.domain.domain_name,
            access_policies=pulumi.Output.all(
                domain_arn, self.indexer.role.arn, self.search.role.arn, self.bootstrap.role.arn
            ).apply(access_policy),
            opts=child(),
        )

    def _indexer_mapping(self, name: str, args: LeasingSearchArgs) -> None:
        """Kinesis -> indexer, with bounded retries and a failure destination."""
        child = self._child
        self.event_source_mapping = aws.lambda_.EventSourceMapping(
            f"{name}-indexer-stream",
            function_name=self.indexer.function.arn,
            event_source_arn=self.stream.arn,
            # From the oldest record: changes put before the mapping existed are indexed too.
            starting_position="TRIM_HORIZON",
            batch_size=args.batch_size,
            maximum_batching_window_in_seconds=args.batch_window_seconds,
            parallelization_factor=args.parallelization_factor,
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=args.max_retry_attempts,
            # Give up on a record no later than the stream would drop it, so the failure
            # destination always hears about it while it can still be read again.
            maximum_record_age_in_seconds=args.max_record_age_seconds,
            function_response_types=["ReportBatchItemFailures"],
            destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
                on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(
                    destination_arn=self.failure_queue.arn
                )
            ),
            opts=child(depends_on=[self.indexer.role_policy]),
        )

    def _bootstrap_run(self, name: str, args: LeasingSearchArgs) -> None:
        """Index template, index and alias, FGAC role mappings."""
        child = self._child
        self.bootstrap_invocation = aws.lambda_.Invocation(
            f"{name}-bootstrap-run",
            function_name=self.bootstrap.function.name,
            # A change of any value (or of the index template) runs it again.
            input=pulumi.Output.json_dumps(
                {
                    "endpoint": self.domain.endpoint,
                    "alias": args.index_alias,
                    "replicas": args.index_replicas,
                    "writer_role_arns": [fgac_principal(self.indexer.role)],
                    "reader_role_arns": [fgac_principal(self.search.role)],
                    "template_sha256": template_sha256(),
                    **({"tiers": args.tiers} if args.tiers else {}),
                }
            ),
            opts=child(depends_on=[self.domain_policy, self.bootstrap_policy]),
        )

    def _api_route(self, name: str, args: LeasingSearchArgs) -> None:
        """GET /listings/search on the parent's REST API, when it gives one."""
        child = self._child
        self.api_route_resources: list[pulumi.Resource] = []
        if args.rest_api_id is not None:
            listings = aws.apigateway.Resource(
                f"{name}-route-listings",
                rest_api=args.rest_api_id,
                parent_id=args.rest_api_root_resource_id,
                path_part="listings",
                opts=child(),
            )
            search_path = aws.apigateway.Resource(
                f"{name}-route-search",
                rest_api=args.rest_api_id,
                parent_id=listings.id,
                path_part="search",
                opts=child(),
            )
            self.api_method = aws.apigateway.Method(
                f"{name}-route-get",
                rest_api=args.rest_api_id,
                resource_id=search_path.id,
                http_method="GET",
                authorization=args.api_authorization,
                opts=child(),
            )
            self.api_integration = aws.apigateway.Integration(
                f"{name}-route-lambda",
                rest_api=args.rest_api_id,
                resource_id=search_path.id,
                http_method=self.api_method.http_method,
                type="AWS_PROXY",
                integration_http_method="POST",
                uri=self.search.function.invoke_arn,
                opts=child(),
            )
            # What the parent's API deployment must wait for.
            self.api_route_resources = [self.api_method, self.api_integration]

        if args.api_execution_arn is not None:
            self.api_permission = aws.lambda_.Permission(
                f"{name}-api-invoke",
                action="lambda:InvokeFunction",
                function=self.search.function.name,
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(args.api_execution_arn, f"/*/{SEARCH_ROUTE}"),
                opts=child(),
            )

    def _search_event_routes(self, name: str, args: LeasingSearchArgs) -> None:
        """Lease and listing events on the lease bus -> the stream, so a lease change becomes a search
        document change. EventBridge puts to Kinesis with a role it assumes and the partition key
        taken from the event (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html,
        https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_KinesisParameters.html); the
        stream's AWS managed key needs no grant. Failed puts go to a dead-letter queue."""
        self.search_rules: list[aws.cloudwatch.EventRule] = []
        if args.lease_bus_name is None:
            return
        child = self._child
        sources = {"lease-created": [args.lease_event_source], "listing-changed": list(args.listing_event_sources)}
        rules_ = [
            aws.cloudwatch.EventRule(
                f"{name}-{purpose}-rule",
                event_bus_name=args.lease_bus_name,
                description=f"{detail_type} -> search stream",
                event_pattern=json.dumps({"source": sources[purpose], "detail-type": [detail_type]}),
                opts=child(),
            )
            for purpose, detail_type, _ in SEARCH_EVENTS
        ]
        self.search_rules = rules_
        self.search_events_role = aws.iam.Role(
            f"{name}-events-to-stream",
            path=iam.ROLE_PATH,
            # Only this account's rules on the lease bus may assume it (confused deputy:
            # https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-identity-based.html).
            assume_role_policy=iam.service_trust_policy(
                "events.amazonaws.com",
                source_account=account_id(args.provider),
                source_arn=pulumi.Output.from_input(args.lease_bus_arn).apply(
                    lambda bus: bus.replace(":event-bus/", ":rule/", 1) + f"/{name}-*"
                ),
            ),
            description="The lease bus puts search events on the listing stream",
            opts=child(),
        )
        self.search_events_policy = aws.iam.RolePolicy(
            f"{name}-events-to-stream",
            role=self.search_events_role.id,
            policy=iam.policy_document([iam.statement(["kinesis:PutRecord"], [self.stream.arn])]),
            opts=child(),
        )
        self.search_events_dlq = aws.sqs.Queue(
            f"{name}-search-events-dlq",
            sqs_managed_sse_enabled=True,
            message_retention_seconds=_DLQ_RETENTION_SECONDS,
            tags=args.tags,
            opts=child(),
        )
        routes.dead_letter_policy(
            f"{name}-search-events-dlq-policy",
            queue=self.search_events_dlq,
            sid="SearchRulesDeadLetter",
            source_arns=[r.arn for r in rules_],
            opts=child(),
        )
        for rule, (purpose, _, partition_key) in zip(rules_, SEARCH_EVENTS):
            routes.target(
                f"{name}-{purpose}-target",
                rule=rule,
                event_bus_name=args.lease_bus_name,
                arn=self.stream.arn,
                role_arn=self.search_events_role.arn,
                dead_letter_arn=self.search_events_dlq.arn,
                kinesis_target=aws.cloudwatch.EventTargetKinesisTargetArgs(partition_key_path=partition_key),
                opts=child(depends_on=[self.search_events_policy]),
            )

    def _alarms(self, name: str, args: LeasingSearchArgs) -> None:
        """Records that did not make it, an indexer falling behind, a red cluster."""
        child = self._child
        actions = [args.alarm_topic_arn] if args.alarm_topic_arn is not None else []
        self.alarms = [
            alarms.metric_alarm(
                f"{name}-failures-queued",
                alarms.QUEUE_NOT_EMPTY,
                dimensions={"QueueName": self.failure_queue.name},
                description="Listing changes could not be indexed: see the failure queue",
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                actions=actions,
                opts=child(),
            ),
            alarms.metric_alarm(
                f"{name}-indexer-behind",
                alarms.ITERATOR_AGE,
                dimensions={"FunctionName": self.indexer.function.name},
                description="The indexer is more than 5 minutes behind the listing stream",
                actions=actions,
                opts=child(),
            ),
            alarms.metric_alarm(
                f"{name}-cluster-red",
                alarms.CLUSTER_RED,
                dimensions={
                    "DomainName": self.domain.domain_name,
                    "ClientId": self.domain.domain_id.apply(lambda domain_id: domain_id.split("/")[0]),
                },
                description="At least one primary shard of the search domain is unassigned",
                actions=actions,
                opts=child(),
            ),
        ]
        if self.search_rules:
            self.alarms.append(
                alarms.metric_alarm(
                    f"{name}-search-events-dead-letters",
                    alarms.QUEUE_NOT_EMPTY,
                    dimensions={"QueueName": self.search_events_dlq.name},
                    description="Lease or listing events could not be put on the search stream: see the dead-letter queue",
                    actions=actions,
                    opts=child(),
                )
            )


def site_builder(values: Mapping[str, Any], name_prefix: str = "search") -> Callable[[Any], list[pulumi.Resource]]:
    """A ``search_builder`` for ``LeasingPlatformArgs``: builds the search side in each Region the
    platform calls it for (``site`` carries region, provider, parent, vpc_id, vpc_cidr_block,
    subnet_ids, rest_api_id, rest_api_root_resource_id, api_execution_arn, alarm_topic_arn, protect)
    and returns the route resources the platform's API deployment waits for.

    ``values`` are the per-stack sizes: ``config.leasing.LeasingSearchConfig.component_values()``.
    """

    def build(site: Any) -> list[pulumi.Resource]:
        search = LeasingSearch(
            f"{name_prefix}-{site.region.replace('-', '')}",  # e.g. search-useast1: short enough for the domain name
            LeasingSearchArgs(
                provider=site.provider,
                region=site.region,
                vpc_id=site.vpc_id,
                vpc_cidr_block=site.vpc_cidr_block,
                subnet_ids=list(site.subnet_ids),
                rest_api_id=site.rest_api_id,
                rest_api_root_resource_id=site.rest_api_root_resource_id,
                api_execution_arn=site.api_execution_arn,
                alarm_topic_arn=site.alarm_topic_arn,
                protect=site.protect,
                lease_bus_name=site.lease_bus_name,
                lease_bus_arn=site.lease_bus_arn,
                lease_event_source=site.lease_event_source,
                **values,
            ),
            opts=pulumi.ResourceOptions(parent=site.parent),
        )
        return search.api_route_resources

    return build

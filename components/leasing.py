"""Architecture C, database side: the AvalonBay-style leasing platform (seed-spec §3).

``LeasingPlatform`` builds, in the primary Region and (``secondary_provider`` given) the secondary:

* a VPC with private subnets only and one interface endpoint (EventBridge, for the outbox relay);
  no NAT gateway: nothing else in the VPC calls a public AWS endpoint (IAM tokens for RDS are signed
  locally), and two endpoint ENIs cost less than a NAT gateway per AZ; the two VPCs are peered so
  either Region's functions reach the writer;
* an Aurora PostgreSQL Serverless v2 global database (``db.serverless``, storage encrypted with a
  customer key per Region, IAM database authentication, backups; deletion protection and a final
  snapshot when ``protect_data``), its master password in a Secrets Manager secret replicated to the
  secondary Region (Aurora-managed master passwords are not available for global databases);
* RDS Proxy per Region in front of its cluster: TLS required, IAM authentication required;
* a Route 53 private hosted zone with the writer CNAME (short TTL) that everything connects
  through; it names the RDS Proxy of the current primary and only the failover function moves it
  (``ignore_changes``), on the ``aws.rds`` global failover/switchover events, in both Regions;
* the lease API (Lambda in the private subnets, alias ``live`` with optional provisioned
  concurrency, REST API with IAM auth, optional custom domain with latency records and a health
  check on the API's 5XX alarm), the outbox relay (on a schedule), the migrations step (run on
  every deploy through a Lambda invocation keyed by the SQL files' hash);
* the leasing event bus with an archive and rules to a Lambda (metrics per community), an encrypted
  SNS topic and an API destination (its API key in the connection's Secrets Manager secret), each
  target with retries and an SQS dead-letter queue, and alarms on every dead-letter queue.

Search (Kinesis, OpenSearch, indexer and search functions) is ``components/leasing_search.py``;
``search_builder`` composes it per Region inside this platform.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import alarms, iam, security_groups
from components import event_routes as routes
from components.lambda_function import LAMBDAS_DIR, LambdaPackaging, PythonFunction, PythonFunctionArgs
from components.network import Network, NetworkArgs
from components.providers import account_id, child_opts
from components.rules import formats
from components.rules import leasing as rules
from contracts import aurora_failover as failover_events

ENGINE = "aurora-postgresql"
PORT = 5432
# Straight to Aurora (no proxy), TLS is required but the certificate not verified: Aurora's certificates
# chain to the RDS certificate authorities, which the OS trust store lacks
# (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/UsingWithRDS.SSL.html); verify-full
# needs the RDS CA bundle packaged with the function (DB_SSLROOTCERT). RDS Proxy's certificates come
# from ACM and verify against the OS store.
DIRECT_SSLMODE = "require"
EVENT_SOURCE = "blueprints.leasing"
METRICS_NAMESPACE = "Blueprints/Leasing"
LEASE_EVENT_TYPES = ("Lease Application Submitted", "Lease Created", "Rent Payment Recorded")
NOTIFIED_EVENT_TYPES = ("Lease Created", "Rent Payment Recorded")  # finance and administration
PARTNER_EVENT_TYPES = ("Lease Application Submitted", "Lease Created")  # property management
MIGRATIONS_DIR = LAMBDAS_DIR / "db_migrations" / "sql"
_DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to notice and redrive


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


@dataclass(frozen=True)
class SearchSite:
    """What the search side gets in each Region (see ``LeasingPlatformArgs.search_builder``)."""

    region: str
    provider: pulumi.ProviderResource
    parent: pulumi.Resource
    vpc_id: pulumi.Output[str]
    vpc_cidr_block: str
    subnet_ids: list[pulumi.Output[str]]
    rest_api_id: pulumi.Output[str]
    rest_api_root_resource_id: pulumi.Output[str]
    api_execution_arn: pulumi.Output[str]
    alarm_topic_arn: pulumi.Output[str]
    protect: bool
    # The lease bus of this Region: a rule routes lease events from it to the search stream.
    lease_bus_name: pulumi.Output[str] | None = None
    lease_bus_arn: pulumi.Output[str] | None = None
    lease_event_source: str = EVENT_SOURCE


@dataclass(frozen=True)
class LeasingPlatformArgs:
    primary_provider: pulumi.ProviderResource
    primary_region: str
    secondary_provider: pulumi.ProviderResource | None = None  # None: single Region (dev)
    secondary_region: str | None = None
    vpc_cidrs: tuple[str, str] = ("10.60.0.0/16", "10.61.0.0/16")
    availability_zones: int = 2
    # Interface endpoint AZs (0: every AZ). Each endpoint costs 7.30 USD a month per AZ.
    endpoint_availability_zones: int = 0
    engine_version: str = "16.6"
    # Lean one-Region choices (a two-Region platform needs both): an RDS Proxy bills at least 8 ACU
    # (87.60 USD a month for Aurora Serverless v2, https://aws.amazon.com/rds/proxy/pricing/); a
    # global database cannot auto-pause. Without either, min_capacity 0 pauses the idle instance.
    rds_proxy: bool = True
    global_database: bool = True
    auto_pause_seconds: int = 300
    min_capacity: float = 0.5
    max_capacity: float = 4.0
    instances_per_cluster: int = 1
    backup_retention_days: int = 1
    protect_data: bool = False  # deletion protection, final snapshot, Pulumi protect
    database_name: str = "leasing"
    master_username: str = "leasing_admin"
    app_username: str = "leasing_app"  # the IAM database user the migrations create (lambdas/db_migrations/sql)
    master_secret_rotation_days: int = 0  # 0: no rotation
    api_memory_mb: int = 512
    api_provisioned_concurrency: int = 0
    api_reserved_concurrency: int = 50
    api_domain_name: str = ""
    api_hosted_zone_id: str = ""  # public zone of api_domain_name
    private_zone_name: str = "leasing.internal"
    writer_record_ttl: int = 5
    partner_api_url: str = ""
    partner_api_key: pulumi.Input[str] | None = None  # None: placeholder, set out of band
    relay_schedule: str = "rate(1 minute)"
    event_archive_days: int = 14
    log_retention_days: int = 30
    alarm_emails: tuple[str, ...] = ()
    # Builds the search side in one Region (components/leasing_search.py); returns what the API
    # deployment must wait for (e.g. a /search route added to the REST API).
    search_builder: Callable[[SearchSite], Sequence[pulumi.Resource]] | None = None
    lambda_packaging: LambdaPackaging = LambdaPackaging()  # CODE_ONLY under the offline preview and tests

    def __post_init__(self):
        problems = []
        if (self.secondary_provider is None) != (self.secondary_region is None):
            problems.append("secondary_provider and secondary_region go together")
        if self.secondary_region == self.primary_region:
            problems.append("secondary_region must differ from primary_region")
        if not 1 <= self.instances_per_cluster <= 15:
            problems.append(f"instances_per_cluster must be 1..15, got {self.instances_per_cluster}")
        if not 1 <= self.backup_retention_days <= 35:
            problems.append(f"backup_retention_days must be 1..35, got {self.backup_retention_days}")
        if self.api_provisioned_concurrency > self.api_reserved_concurrency:
            problems.append("api_provisioned_concurrency cannot exceed api_reserved_concurrency")
        if self.partner_api_url and not self.partner_api_url.startswith("https://"):
            problems.append("partner_api_url must be https://")
        if not 1 <= self.writer_record_ttl <= 60:
            problems.append(f"writer_record_ttl must be 1..60 seconds, got {self.writer_record_ttl}")
        domain = rules.api_domain_problem(self.api_domain_name, self.api_hosted_zone_id)
        retention = formats.log_retention_problem(self.log_retention_days)
        if self.master_secret_rotation_days and not 1 <= self.master_secret_rotation_days <= 1000:
            problems.append(
                f"master_secret_rotation_days must be 0 (off) or 1..1000, got {self.master_secret_rotation_days}"
            )
        if not 300 <= self.auto_pause_seconds <= 86_400:
            problems.append(f"auto_pause_seconds must be 300..86400, got {self.auto_pause_seconds}")
        if not 0 <= self.endpoint_availability_zones <= self.availability_zones:
            problems.append(
                f"endpoint_availability_zones must be 0 (all) to {self.availability_zones}, "
                f"got {self.endpoint_availability_zones}"
            )
        for argument, value, expected in (
            *rules.aurora_capacity_problems(self.min_capacity, self.max_capacity, can_pause=self.can_pause),
            *rules.database_topology_problems(
                multi_region=self.multi_region, global_database=self.global_database, rds_proxy=self.rds_proxy
            ),
            *rules.vpc_cidrs_problems(self.vpc_cidrs),
            *([domain] if domain else []),
            *([("log_retention_days", self.log_retention_days, retention)] if retention else []),
        ):
            problems.append(f"{argument} {value!r}: expected {expected}")
        if problems:
            raise ValueError("LeasingPlatformArgs: " + "; ".join(problems))

    @property
    def multi_region(self) -> bool:
        return self.secondary_provider is not None

    @property
    def can_pause(self) -> bool:
        return not (self.rds_proxy or self.global_database)


@dataclass
class LeasingSite:
    """The resources of one Region, kept as attributes of ``LeasingPlatform.sites[region]``."""

    region: str
    provider: pulumi.ProviderResource
    cidr: str
    is_primary: bool
    network: Network | None = None
    key: aws.kms.Key | None = None
    function_sg: aws.ec2.SecurityGroup | None = None
    proxy_sg: aws.ec2.SecurityGroup | None = None
    database_sg: aws.ec2.SecurityGroup | None = None
    cluster: aws.rds.Cluster | None = None
    instances: list[aws.rds.ClusterInstance] = field(default_factory=list)
    proxy: aws.rds.Proxy | None = None
    proxy_target: aws.rds.ProxyTarget | None = None
    alarm_topic: aws.sns.Topic | None = None
    bus: aws.cloudwatch.EventBus | None = None
    functions: dict[str, PythonFunction] = field(default_factory=dict)
    api_alias: aws.lambda_.Alias | None = None
    rest_api: aws.apigateway.RestApi | None = None
    stage: aws.apigateway.Stage | None = None
    api_errors_alarm: aws.cloudwatch.MetricAlarm | None = None
    lease_topic: aws.sns.Topic | None = None
    dead_letter_queues: dict[str, aws.sqs.Queue] = field(default_factory=dict)
    rules: dict[str, aws.cloudwatch.EventRule] = field(default_factory=dict)
    search: Sequence[pulumi.Resource] = ()


class LeasingPlatform(pulumi.ComponentResource):
    def __init__(self, name: str, args: LeasingPlatformArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:leasing:LeasingPlatform", name, None, opts)
        self.args = args
        self.name = name
        stack = pulumi.get_stack()
        self.identifier = f"{name}-{stack}".lower()[:40]
        self.account_id = account_id(args.primary_provider)

        self.sites: dict[str, LeasingSite] = {
            args.primary_region: LeasingSite(args.primary_region, args.primary_provider, args.vpc_cidrs[0], True)
        }
        if args.multi_region:
            self.sites[args.secondary_region] = LeasingSite(
                args.secondary_region, args.secondary_provider, args.vpc_cidrs[1], False
            )
        self.primary = self.sites[args.primary_region]

        for site in self.sites.values():
            self._network(site)
            self._key(site)
            self._alarm_topic(site)
        if args.multi_region:
            self._peer_vpcs()
            self._cross_region_events()
        for site in self.sites.values():
            self._security_groups(site)
        self._database()
        if args.rds_proxy:
            for site in self.sites.values():
                self._proxy(site)
        self.private_zone = self.writer_record = None
        if args.global_database:
            self._private_zone()  # the writer record the failover function moves
        for site in self.sites.values():
            self._bus(site)  # every Region's bus first: each relay puts to all of them
        for site in self.sites.values():
            self._functions(site)
            self._api(site)
            if args.global_database:
                self._failover(site)
        self._migrations()
        if args.master_secret_rotation_days:
            self._master_secret_rotation()
        if args.api_domain_name:
            self._custom_domain()

        outputs = {
            "apiUrls": {region: site.stage.invoke_url for region, site in self.sites.items()},
            "busNames": {region: site.bus.name for region, site in self.sites.items()},
            "databaseEndpoints": {region: self._database_host(site) for region, site in self.sites.items()},
        }
        if self.global_cluster is not None:
            outputs.update(
                globalClusterId=self.global_cluster.id,
                writerRecord=self.writer_fqdn,
                privateZoneId=self.private_zone.zone_id,
            )
        if args.api_domain_name:
            outputs["apiDomain"] = f"https://{args.api_domain_name}"
        self.outputs = outputs
        self.register_outputs(outputs)

    # ----------------------------------------------------------------- helpers

    def _opts(self, site: LeasingSite, **kwargs) -> pulumi.ResourceOptions:
        return child_opts(self, provider=site.provider, **kwargs)

    def _n(self, site: LeasingSite, part: str) -> str:
        return f"{self.name}-{site.region}-{part}"

    def _other(self, site: LeasingSite) -> LeasingSite | None:
        return next((s for s in self.sites.values() if s is not site), None)

    def _arn(self, site: LeasingSite, service: str, resource: str) -> pulumi.Output[str]:
        return self.account_id.apply(lambda account: f"arn:aws:{service}:{site.region}:{account}:{resource}")

    # ----------------------------------------------------------------- network

    def _interface_services(self, site: LeasingSite) -> tuple[str, ...]:
        """The AWS APIs the VPC functions call (IAM auth tokens for RDS are signed locally and need none:
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.Connecting.html)."""
        services = ["events"]  # the outbox relay's PutEvents
        if self.args.search_builder is not None:
            services.append("sqs")  # the search indexer parks unindexable records in its failure queue
        if site.is_primary and (not self.args.rds_proxy or self.args.master_secret_rotation_days):
            # The migrations read the master password (no proxy holds it); the rotation function
            # rotates the secret, which lives in the primary Region.
            services.append("secretsmanager")
        return tuple(services)

    def _network(self, site: LeasingSite) -> None:
        # Interface endpoints rather than a NAT gateway: one endpoint in one AZ costs 7.30 USD a month,
        # a NAT gateway 32.85 plus its public IPv4 address (https://aws.amazon.com/privatelink/pricing/,
        # https://aws.amazon.com/vpc/pricing/). The other Region's relay reaches this Region's events
        # endpoint over the peering (``_cross_region_events``), so the endpoints admit both VPCs.
        site.network = Network(
            self._n(site, "net"),
            NetworkArgs(
                region=site.region,
                cidr_block=site.cidr,
                availability_zones=self.args.availability_zones,
                interface_endpoints=self._interface_services(site),
                endpoint_availability_zones=self.args.endpoint_availability_zones,
                endpoint_client_cidrs=tuple(s.cidr for s in self.sites.values()) if self.args.multi_region else (),
            ),
            opts=self._opts(site),
        )

    def _cross_region_events(self) -> None:
        """Each Region's relay puts every lease event to the other Region's bus too, from private subnets.
        EventBridge has no cross-Region interface endpoint (the cross-Region PrivateLink services:
        https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html),
        so the relay uses the other Region's endpoint over the VPC peering: a private hosted zone named
        like the service's Regional DNS name, associated with this VPC, aliases the remote endpoint
        (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-dns-hostnames,
        https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/centralized-access-to-vpc-private-endpoints.html).
        0.50 USD a month per zone instead of a NAT gateway per Region."""
        for site in self.sites.values():
            other = self._other(site)
            endpoint = other.network.interface_endpoints["events"]
            name = f"events.{other.region}.amazonaws.com"
            zone = aws.route53.Zone(
                self._n(site, f"events-{other.region}-zone"),
                name=name,
                comment=f"{name} resolves to the {other.region} events endpoint over the peering",
                vpcs=[aws.route53.ZoneVpcArgs(vpc_id=site.network.vpc_id, vpc_region=site.region)],
                opts=self._opts(site),
            )
            dns = endpoint.dns_entries[0]
            aws.route53.Record(
                self._n(site, f"events-{other.region}"),
                zone_id=zone.zone_id,
                name=name,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=dns.dns_name, zone_id=dns.hosted_zone_id, evaluate_target_health=True
                    )
                ],
                opts=self._opts(site),
            )

    def _peer_vpcs(self) -> None:
        primary, secondary = self.sites.values()
        self.peering = aws.ec2.VpcPeeringConnection(
            f"{self.name}-peering",
            vpc_id=primary.network.vpc_id,
            peer_vpc_id=secondary.network.vpc_id,
            peer_region=secondary.region,
            auto_accept=False,
            tags={"Name": f"{self.identifier}-{primary.region}-{secondary.region}"},
            opts=self._opts(primary),
        )
        self.peering_accepter = aws.ec2.VpcPeeringConnectionAccepter(
            f"{self.name}-peering-accepter",
            vpc_peering_connection_id=self.peering.id,
            auto_accept=True,
            opts=self._opts(secondary),
        )
        for site, other in ((primary, secondary), (secondary, primary)):
            for index, table in enumerate(site.network.private_route_tables):
                aws.ec2.Route(
                    self._n(site, f"to-{other.region}-{index}"),
                    route_table_id=table.id,
                    destination_cidr_block=other.cidr,
                    vpc_peering_connection_id=self.peering.id,
                    opts=self._opts(site, depends_on=[self.peering_accepter]),
                )

    def _security_groups(self, site: LeasingSite) -> None:
        vpc, rule = site.network.vpc_id, self._opts(site)
        via = "RDS Proxy" if self.args.rds_proxy else "Aurora"
        site.function_sg = aws.ec2.SecurityGroup(
            self._n(site, "functions"),
            vpc_id=vpc,
            description=f"Leasing functions: out to {via} and the VPC endpoints only",
            opts=self._opts(site),
        )
        site.database_sg = aws.ec2.SecurityGroup(
            self._n(site, "database"),
            vpc_id=vpc,
            opts=self._opts(site),
            description="Aurora: in from RDS Proxy only"
            if self.args.rds_proxy
            else "Aurora: in from the leasing functions only",
        )
        security_groups.tcp_egress(
            self._n(site, "functions-to-endpoints"),
            security_group_id=site.function_sg.id,
            cidr=site.cidr,
            description="HTTPS to the VPC interface endpoints",
            opts=rule,
        )
        if not self.args.rds_proxy:
            security_groups.allow(
                self._n(site, "functions-to-database"),
                self._n(site, "database-from-functions"),
                source_security_group_id=site.function_sg.id,
                destination_security_group_id=site.database_sg.id,
                port=PORT,
                egress_description="PostgreSQL to Aurora",
                ingress_description="PostgreSQL from the leasing functions",
                opts=rule,
            )
            return
        site.proxy_sg = aws.ec2.SecurityGroup(
            self._n(site, "proxy"),
            vpc_id=vpc,
            description="RDS Proxy: in from the leasing functions, out to Aurora",
            opts=self._opts(site),
        )
        security_groups.allow(
            self._n(site, "functions-to-proxy"),
            self._n(site, "proxy-from-functions"),
            source_security_group_id=site.function_sg.id,
            destination_security_group_id=site.proxy_sg.id,
            port=PORT,
            egress_description="PostgreSQL to RDS Proxy in this Region",
            ingress_description="PostgreSQL from the leasing functions",
            opts=rule,
        )
        security_groups.allow(
            self._n(site, "proxy-to-database"),
            self._n(site, "database-from-proxy"),
            source_security_group_id=site.proxy_sg.id,
            destination_security_group_id=site.database_sg.id,
            port=PORT,
            egress_description="PostgreSQL to Aurora",
            ingress_description="PostgreSQL from RDS Proxy only",
            opts=rule,
        )
        other = self._other(site)
        if other is not None:
            # Security groups cannot reference each other across Regions: the peer VPC's CIDR it is.
            security_groups.tcp_egress(
                self._n(site, "functions-to-peer-proxy"),
                security_group_id=site.function_sg.id,
                cidr=other.cidr,
                port=PORT,
                description=f"PostgreSQL to RDS Proxy in {other.region} when it fronts the writer",
                opts=rule,
            )
            security_groups.tcp_ingress(
                self._n(site, "proxy-from-peer"),
                security_group_id=site.proxy_sg.id,
                cidr=other.cidr,
                port=PORT,
                description=f"PostgreSQL from the leasing functions in {other.region}",
                opts=rule,
            )
            security_groups.tcp_egress(
                self._n(site, "functions-to-peer-endpoints"),
                security_group_id=site.function_sg.id,
                cidr=other.cidr,
                description=f"HTTPS to the {other.region} events endpoint (the relay puts to that Region's bus)",
                opts=rule,
            )

    # ----------------------------------------------------------------- keys and alarms

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

    # ----------------------------------------------------------------- database

    def _database(self) -> None:
        args, primary = self.args, self.primary
        protect = args.protect_data
        # A one-Region stack may do without the global cluster (it cannot auto-pause as a global primary:
        # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html).
        self.global_cluster = (
            aws.rds.GlobalCluster(
                f"{self.name}-global",
                global_cluster_identifier=self.identifier,
                engine=ENGINE,
                engine_version=args.engine_version,
                database_name=args.database_name,
                storage_encrypted=True,
                deletion_protection=protect,
                opts=self._opts(primary, protect=protect),
            )
            if args.global_database
            else None
        )

        # Generated once: later runs draw another value, which ignore_changes keeps out of the diff.
        password = pulumi.Output.secret(secrets.token_urlsafe(30))
        self.master_secret = aws.secretsmanager.Secret(
            f"{self.name}-master-secret",
            description=f"Aurora master user of {self.identifier}; RDS Proxy reads it",
            recovery_window_in_days=30 if protect else 0,
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(region=s.region) for s in self.sites.values() if not s.is_primary
            ],
            opts=self._opts(primary, protect=protect),
        )
        aws.secretsmanager.SecretVersion(
            f"{self.name}-master-secret-value",
            secret_id=self.master_secret.id,
            secret_string=pulumi.Output.json_dumps({"username": args.master_username, "password": password}),
            opts=self._opts(primary, ignore_changes=["secretString"]),
        )

        for site in self.sites.values():
            subnet_group = aws.rds.SubnetGroup(
                self._n(site, "db-subnets"),
                subnet_ids=site.network.private_subnet_ids,
                description="Private subnets of the leasing database",
                opts=self._opts(site),
            )
            common = dict(
                engine=ENGINE,
                engine_mode="provisioned",
                engine_version=args.engine_version,
                global_cluster_identifier=self.global_cluster.id if self.global_cluster else None,
                serverlessv2_scaling_configuration=aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=args.min_capacity,
                    max_capacity=args.max_capacity,
                    seconds_until_auto_pause=args.auto_pause_seconds if args.min_capacity == 0 else None,
                ),
                storage_encrypted=True,
                kms_key_id=site.key.arn,
                iam_database_authentication_enabled=True,
                db_subnet_group_name=subnet_group.name,
                vpc_security_group_ids=[site.database_sg.id],
                backup_retention_period=args.backup_retention_days,
                preferred_backup_window="07:00-08:00",
                copy_tags_to_snapshot=True,
                deletion_protection=protect,
                skip_final_snapshot=not protect,
                final_snapshot_identifier=f"{self.identifier}-{site.region}-final" if protect else None,
                apply_immediately=not protect,
            )
            # Aurora moves member engine versions itself during global upgrades and failovers; the
            # global cluster's engine_version is the one this program changes.
            ignored = ["engineVersion"]
            if site.is_primary:
                site.cluster = aws.rds.Cluster(
                    self._n(site, "cluster"),
                    database_name=args.database_name,
                    master_username=args.master_username,
                    master_password=password,
                    **common,
                    opts=self._opts(site, protect=protect, ignore_changes=[*ignored, "masterPassword"]),
                )
            else:
                site.cluster = aws.rds.Cluster(
                    self._n(site, "cluster"),
                    **common,
                    opts=self._opts(
                        site,
                        protect=protect,
                        depends_on=primary.instances,
                        ignore_changes=[*ignored, "replicationSourceIdentifier"],
                    ),
                )
            site.instances = [
                aws.rds.ClusterInstance(
                    self._n(site, f"db-{index}"),
                    cluster_identifier=site.cluster.id,
                    engine=ENGINE,
                    instance_class="db.serverless",
                    publicly_accessible=False,
                    db_subnet_group_name=subnet_group.name,
                    promotion_tier=index,
                    auto_minor_version_upgrade=True,
                    performance_insights_enabled=protect,
                    opts=self._opts(site, protect=protect),
                )
                for index in range(args.instances_per_cluster)
            ]
            alarms.metric_alarm(
                self._n(site, "acu-alarm"),
                alarms.ACU_HIGH,
                dimensions={"DBClusterIdentifier": site.cluster.cluster_identifier},
                description="Aurora runs near its maximum capacity: raise leasingAuroraMaxCapacity",
                actions=[site.alarm_topic.arn],
                opts=self._opts(site),
            )

    def _regional_secret_arn(self, site: LeasingSite) -> pulumi.Output[str]:
        if site.is_primary:
            return self.master_secret.arn
        primary_region = self.primary.region
        return self.master_secret.arn.apply(lambda arn: arn.replace(f":{primary_region}:", f":{site.region}:", 1))

    def _proxy(self, site: LeasingSite) -> None:
        """End-to-end IAM authentication for the application user (no password anywhere: the proxy
        connects to Aurora with an IAM token too), and the master secret for the migrations only
        (IAM-authenticated clients mapped to it; the proxy role may use both, as in the migration guide).
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-migration.html"""
        proxy_name = f"{self.identifier}"[:60]
        app_user = pulumi.Output.all(self.account_id, site.cluster.cluster_resource_id).apply(
            lambda v, region=site.region: f"arn:aws:rds-db:{region}:{v[0]}:dbuser:{v[1]}/{self.args.app_username}"
        )
        role = aws.iam.Role(
            self._n(site, "proxy-role"),
            path=iam.ROLE_PATH,
            assume_role_policy=iam.service_trust_policy("rds.amazonaws.com", source_account=self.account_id),
            description="RDS Proxy: the leasing master secret and IAM connections as the application user",
            opts=self._opts(site),
        )
        aws.iam.RolePolicy(
            self._n(site, "proxy-policy"),
            role=role.id,
            policy=iam.policy_document(
                [
                    iam.statement(["secretsmanager:GetSecretValue"], [self._regional_secret_arn(site)]),
                    iam.statement(["rds-db:connect"], [app_user]),
                ]
            ),
            opts=self._opts(site),
        )
        # The proxy writes here; created first so it has a retention instead of keeping logs forever.
        log_group = aws.cloudwatch.LogGroup(
            self._n(site, "proxy-logs"),
            name=f"/aws/rds/proxy/{proxy_name}",
            retention_in_days=self.args.log_retention_days,
            opts=self._opts(site),
        )
        site.proxy = aws.rds.Proxy(
            self._n(site, "proxy"),
            name=proxy_name,
            engine_family="POSTGRESQL",
            role_arn=role.arn,
            vpc_subnet_ids=site.network.private_subnet_ids,
            vpc_security_group_ids=[site.proxy_sg.id],
            require_tls=True,
            idle_client_timeout=1800,
            debug_logging=False,
            default_auth_scheme="IAM_AUTH",
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    iam_auth="REQUIRED",
                    secret_arn=self._regional_secret_arn(site),
                    description="IAM-authenticated migrations as the master user",
                )
            ],
            opts=self._opts(site, depends_on=[log_group]),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            self._n(site, "proxy-targets"),
            db_proxy_name=site.proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=90, max_idle_connections_percent=50, connection_borrow_timeout=120
            ),
            opts=self._opts(site),
        )
        site.proxy_target = aws.rds.ProxyTarget(
            self._n(site, "proxy-cluster"),
            db_proxy_name=site.proxy.name,
            target_group_name=target_group.name,
            db_cluster_identifier=site.cluster.cluster_identifier,
            opts=self._opts(site, depends_on=site.instances),
        )

    def _database_host(self, site: LeasingSite) -> pulumi.Output[str]:
        """Where this Region's functions reach its own cluster's writer: its proxy, or the cluster endpoint."""
        return site.proxy.endpoint if site.proxy is not None else site.cluster.endpoint

    def _private_zone(self) -> None:
        primary = self.primary
        self.private_zone = aws.route53.Zone(
            f"{self.name}-private-zone",
            name=self.args.private_zone_name,
            comment="Leasing: the writer record follows the Aurora global database primary",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=s.network.vpc_id, vpc_region=s.region) for s in self.sites.values()],
            opts=self._opts(primary),
        )
        self.writer_fqdn = f"writer.{self.args.private_zone_name}"
        self.writer_record = aws.route53.Record(
            f"{self.name}-writer",
            zone_id=self.private_zone.zone_id,
            name=self.writer_fqdn,
            type="CNAME",
            ttl=self.args.writer_record_ttl,
            records=[self._database_host(primary)],
            # The failover function owns the value after creation; a deploy must not undo a failover.
            opts=self._opts(primary, ignore_changes=["records"]),
        )

    def _rds_connect_arns(self, user: str) -> list[pulumi.Output[str]]:
        """rds-db:connect as ``user`` through every proxy (the writer may be behind either Region's), or
        straight to the cluster without a proxy (the resource id in the ARN is the proxy's or the
        cluster's: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html,
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html)."""

        def arn(site: LeasingSite) -> pulumi.Output[str]:
            resource_id = (
                site.proxy.arn.apply(lambda a: a.split(":")[-1])
                if site.proxy is not None
                else site.cluster.cluster_resource_id
            )
            return pulumi.Output.all(self.account_id, resource_id).apply(
                lambda v, region=site.region: f"arn:aws:rds-db:{region}:{v[0]}:dbuser:{v[1]}/{user}"
            )

        return [arn(s) for s in self.sites.values()]

    def _database_environment(self, user: str | None = None) -> dict[str, pulumi.Input[str]]:
        """As the application user (default) through the writer record, which follows the primary of a
        global database; without one, straight to the cluster's writer endpoint."""
        host = (
            {"DB_HOST": self.writer_fqdn, "DB_HOST_IS_ALIAS": "true"}
            if self.writer_record is not None
            else {"DB_HOST": self._database_host(self.primary), "DB_HOST_IS_ALIAS": "false"}
        )
        return {
            **host,
            "DB_PORT": str(PORT),
            "DB_NAME": self.args.database_name,
            "DB_USER": user or self.args.app_username,
            "DB_AUTH": "iam",
            "DB_SSLMODE": "verify-full" if self.args.rds_proxy else DIRECT_SSLMODE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }

    # ----------------------------------------------------------------- lease events

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

    # ----------------------------------------------------------------- functions

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

    def _master_secret_rotation(self) -> None:
        """Rotates the master password on a schedule. Aurora-managed master passwords (which rotate
        themselves) are not available to clusters of a global database
        (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations),
        so a single-user rotation function does it (lambdas/master_secret_rotation). It connects to the
        global database's writer endpoint, which follows switchovers and failovers
        (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html),
        so it may reach the other Region's cluster over the peering; Secrets Manager replicates the new
        version to the secondary Region, whose proxy reads it there."""
        primary, args = self.primary, self.args
        group = aws.ec2.SecurityGroup(
            self._n(primary, "rotation"),
            vpc_id=primary.network.vpc_id,
            description="Master secret rotation: out to Aurora and the Secrets Manager endpoint",
            opts=self._opts(primary),
        )
        rule = self._opts(primary)
        security_groups.tcp_egress(
            self._n(primary, "rotation-to-endpoints"),
            security_group_id=group.id,
            cidr=primary.cidr,
            description="HTTPS to the Secrets Manager endpoint",
            opts=rule,
        )
        security_groups.allow(
            self._n(primary, "rotation-to-database"),
            self._n(primary, "database-from-rotation"),
            source_security_group_id=group.id,
            destination_security_group_id=primary.database_sg.id,
            port=PORT,
            egress_description="PostgreSQL to Aurora (master password change)",
            ingress_description="PostgreSQL from the master secret rotation",
            opts=rule,
        )
        other = self._other(primary)
        if other is not None:
            security_groups.tcp_egress(
                self._n(primary, "rotation-to-peer-database"),
                security_group_id=group.id,
                cidr=other.cidr,
                port=PORT,
                description=f"PostgreSQL to Aurora in {other.region} when it holds the writer",
                opts=rule,
            )
            security_groups.tcp_ingress(
                self._n(other, "database-from-peer-rotation"),
                security_group_id=other.database_sg.id,
                cidr=primary.cidr,
                port=PORT,
                description=f"PostgreSQL from the master secret rotation in {primary.region}",
                opts=self._opts(other),
            )
        host = self.global_cluster.endpoint if self.global_cluster is not None else primary.cluster.endpoint
        secret = self.master_secret.arn
        function = self._function(
            primary,
            "secret-rotation",
            "master_secret_rotation",
            in_vpc=True,
            security_group=group,
            memory_mb=256,
            timeout_seconds=60,
            description="Rotates the Aurora master password in its secret",
            reserved_concurrency=1,
            environment={
                "DB_HOST": host,
                "DB_PORT": str(PORT),
                "DB_NAME": args.database_name,
                "DB_SSLMODE": DIRECT_SSLMODE,
            },
            policy_statements=[
                iam.statement(
                    [
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                        "secretsmanager:UpdateSecretVersionStage",
                    ],
                    [secret],
                )
            ],
        )
        permission = aws.lambda_.Permission(
            self._n(primary, "secret-rotation-invoke"),
            action="lambda:InvokeFunction",
            function=function.name,
            principal="secretsmanager.amazonaws.com",
            source_arn=secret,
            # https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
            opts=self._opts(primary),
        )
        self.master_secret_rotation = aws.secretsmanager.SecretRotation(
            f"{self.name}-master-secret-rotation",
            secret_id=self.master_secret.id,
            rotation_lambda_arn=function.arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=args.master_secret_rotation_days
            ),
            opts=self._opts(primary, depends_on=[permission, self.migrations]),
        )

    # ----------------------------------------------------------------- API

    def _api(self, site: LeasingSite) -> None:
        args = self.args
        api = aws.apigateway.RestApi(
            self._n(site, "api"),
            name=f"{self.identifier}-lease-api",
            description="Lease API (IAM-authorised callers)",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            disable_execute_api_endpoint=bool(args.api_domain_name),
            opts=self._opts(site),
        )
        site.rest_api = api
        proxy = aws.apigateway.Resource(
            self._n(site, "api-proxy"),
            rest_api=api.id,
            parent_id=api.root_resource_id,
            path_part="{proxy+}",
            opts=self._opts(site),
        )
        method = aws.apigateway.Method(
            self._n(site, "api-any"),
            rest_api=api.id,
            resource_id=proxy.id,
            http_method="ANY",
            authorization="AWS_IAM",
            opts=self._opts(site),
        )
        integration = aws.apigateway.Integration(
            self._n(site, "api-lambda"),
            rest_api=api.id,
            resource_id=proxy.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=site.api_alias.invoke_arn,
            opts=self._opts(site),
        )
        aws.lambda_.Permission(
            self._n(site, "api-invoke"),
            action="lambda:InvokeFunction",
            function=site.functions["lease-api"].name,
            qualifier=site.api_alias.name,
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*/*"),
            opts=self._opts(site),
        )

        if args.search_builder is not None:
            site.search = tuple(
                args.search_builder(
                    SearchSite(
                        region=site.region,
                        provider=site.provider,
                        parent=self,
                        vpc_id=site.network.vpc_id,
                        vpc_cidr_block=site.cidr,
                        subnet_ids=site.network.private_subnet_ids,
                        rest_api_id=api.id,
                        rest_api_root_resource_id=api.root_resource_id,
                        api_execution_arn=api.execution_arn,
                        alarm_topic_arn=site.alarm_topic.arn,
                        protect=args.protect_data,
                        lease_bus_name=site.bus.name,
                        lease_bus_arn=site.bus.arn,
                    )
                )
            )

        deployment = aws.apigateway.Deployment(
            self._n(site, "api-deployment"),
            rest_api=api.id,
            description="Lease API",
            # Redeploy when the routes change: ours are fixed, the search side's are its resources' ids.
            triggers={
                "routes": hashlib.sha256(b"ANY /{proxy+} AWS_IAM lambda:live").hexdigest(),
                "search": pulumi.Output.all(
                    *[r.id if isinstance(r, pulumi.CustomResource) else r.urn for r in site.search]
                ).apply(lambda ids: hashlib.sha256("|".join(ids).encode()).hexdigest()),
            },
            opts=self._opts(site, depends_on=[method, integration, *site.search]),
        )
        site.stage = aws.apigateway.Stage(
            self._n(site, "api-stage"),
            rest_api=api.id,
            deployment=deployment.id,
            stage_name="v1",
            opts=self._opts(site),
        )
        aws.apigateway.MethodSettings(
            self._n(site, "api-settings"),
            rest_api=api.id,
            stage_name=site.stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True, throttling_rate_limit=100, throttling_burst_limit=200
            ),
            opts=self._opts(site),
        )
        site.api_errors_alarm = alarms.metric_alarm(
            self._n(site, "api-5xx-alarm"),
            alarms.API_ERRORS,
            dimensions={"ApiName": api.name, "Stage": site.stage.stage_name},
            description="The lease API fails in this Region (also takes it out of the latency records)",
            actions=[site.alarm_topic.arn],
            opts=self._opts(site),
        )

    def _custom_domain(self) -> None:
        args, primary = self.args, self.primary
        validation_record = None
        for site in self.sites.values():
            certificate = aws.acm.Certificate(
                self._n(site, "api-certificate"),
                domain_name=args.api_domain_name,
                validation_method="DNS",
                opts=self._opts(site),
            )
            option = certificate.domain_validation_options[0]
            if validation_record is None:
                # ACM asks for the same record in every Region for the same name and account.
                validation_record = aws.route53.Record(
                    f"{self.name}-api-certificate-validation",
                    zone_id=args.api_hosted_zone_id,
                    name=option.resource_record_name,
                    type=option.resource_record_type,
                    records=[option.resource_record_value],
                    ttl=300,
                    allow_overwrite=True,
                    opts=self._opts(primary),
                )
            validation = aws.acm.CertificateValidation(
                self._n(site, "api-certificate-valid"),
                certificate_arn=certificate.arn,
                validation_record_fqdns=[validation_record.fqdn],
                opts=self._opts(site),
            )
            domain = aws.apigateway.DomainName(
                self._n(site, "api-domain"),
                domain_name=args.api_domain_name,
                regional_certificate_arn=validation.certificate_arn,
                security_policy="TLS_1_2",
                endpoint_configuration=aws.apigateway.DomainNameEndpointConfigurationArgs(types="REGIONAL"),
                opts=self._opts(site),
            )
            aws.apigateway.BasePathMapping(
                self._n(site, "api-mapping"),
                rest_api=site.rest_api.id,
                stage_name=site.stage.stage_name,
                domain_name=domain.domain_name,
                opts=self._opts(site),
            )
            health = aws.route53.HealthCheck(
                self._n(site, "api-health"),
                type="CLOUDWATCH_METRIC",
                cloudwatch_alarm_name=site.api_errors_alarm.name,
                cloudwatch_alarm_region=site.region,
                insufficient_data_health_status="Healthy",
                reference_name=f"lease-api-{site.region}"[:64],
                opts=self._opts(primary),
            )
            aws.route53.Record(
                self._n(site, "api-latency"),
                zone_id=args.api_hosted_zone_id,
                name=args.api_domain_name,
                type="A",
                set_identifier=site.region,
                latency_routing_policies=[aws.route53.RecordLatencyRoutingPolicyArgs(region=site.region)],
                health_check_id=health.id,
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=domain.regional_domain_name, zone_id=domain.regional_zone_id, evaluate_target_health=True
                    )
                ],
                opts=self._opts(primary),
            )

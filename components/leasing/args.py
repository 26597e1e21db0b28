"""What ``LeasingPlatform`` takes (validated on construction) and what it hands the search side per Region."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi

from components.lambda_function import LambdaPackaging
from components.leasing.constants import EVENT_SOURCE
from components.rules import formats
from components.rules import leasing as rules


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

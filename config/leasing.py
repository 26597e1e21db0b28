"""Architecture C (leasing and search): the ``leasing*`` keys and the LeasingPlatform Args."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

import pulumi

from components import leasing_search
from components.leasing import LeasingPlatformArgs
from components.providers import ArchitectureProviders
from components.rules import formats
from components.rules import leasing as rules
from config.reader import ConfigReader
from config.settings import StackSettings, email_problem

ARCHITECTURE = "leasing"
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_SCHEDULE = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$")
_ENGINE_VERSION = re.compile(r"^\d+\.\d+$")
_NODE_TYPE = "an OpenSearch instance type such as r6g.large.search"
# The Args argument each leasing rule names -> the stack key it comes from.
_KEYS = {
    "min_capacity": "leasingAuroraMinCapacity",
    "max_capacity": "leasingAuroraMaxCapacity",
    "rds_proxy": "leasingRdsProxy",
    "global_database": "leasingGlobalDatabase",
    "vpc_cidrs": "leasingVpcCidrs",
    "api_domain_name": "leasingApiDomainName",
    "api_hosted_zone_id": "leasingApiHostedZoneId",
    "instance_type": "leasingSearchInstanceType",
    "instance_count": "leasingSearchInstanceCount",
    "master_type": "leasingSearchMasterType",
    "master_count": "leasingSearchMasterCount",
    "warm_type": "leasingSearchWarmType",
    "warm_count": "leasingSearchWarmCount",
    "cold_storage": "leasingSearchColdStorage",
}


def _report(r: ConfigReader, problems: list[rules.Problem]) -> None:
    for argument, value, expected in problems:
        key = _KEYS[argument]
        if not r.reported(key):  # one problem per key is enough (the type or range one comes first)
            r.problem(key, value, expected)


@dataclass(frozen=True)
class LeasingSearchConfig:
    """Sizes of the search side; field names match components.leasing_search.LeasingSearchArgs."""

    stream_mode: str
    shard_count: int
    retention_hours: int
    batch_size: int
    batch_window_seconds: int
    max_retry_attempts: int
    parallelization_factor: int
    engine_version: str
    instance_type: str
    instance_count: int
    master_type: str
    master_count: int
    warm_type: str
    warm_count: int
    cold_storage: bool
    volume_gb: int
    create_service_linked_role: bool

    def component_values(self) -> dict[str, Any]:
        """Keyword arguments for LeasingSearchArgs (the parent adds provider, network and wiring)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def read(cls, r: ConfigReader) -> LeasingSearchConfig:
        config = cls(
            stream_mode=r.string("leasingSearchStreamMode", choices=leasing_search.STREAM_MODES),
            shard_count=r.integer("leasingSearchShardCount", minimum=1, maximum=500),
            retention_hours=r.integer("leasingSearchRetentionHours", minimum=24, maximum=8760),
            batch_size=r.integer("leasingSearchBatchSize", minimum=1, maximum=10_000),
            batch_window_seconds=r.integer("leasingSearchBatchWindowSeconds", minimum=0, maximum=300),
            max_retry_attempts=r.integer("leasingSearchMaxRetryAttempts", minimum=0, maximum=10_000),
            parallelization_factor=r.integer("leasingSearchParallelization", minimum=1, maximum=10),
            engine_version=r.string(
                "leasingSearchEngineVersion",
                pattern=rules.SEARCH_ENGINE_VERSION,
                describe="an engine version such as OpenSearch_2.19",
            ),
            instance_type=r.string(
                "leasingSearchInstanceType", pattern=rules.SEARCH_INSTANCE_TYPE, describe=_NODE_TYPE
            ),
            instance_count=r.integer("leasingSearchInstanceCount", minimum=1, maximum=80),
            master_type=r.string("leasingSearchMasterType", pattern=rules.SEARCH_INSTANCE_TYPE, describe=_NODE_TYPE),
            master_count=r.integer("leasingSearchMasterCount", minimum=0, maximum=5),
            warm_type=r.string(
                "leasingSearchWarmType",
                pattern=rules.SEARCH_INSTANCE_TYPE,
                describe="an UltraWarm type such as ultrawarm1.medium.search",
            ),
            warm_count=r.integer("leasingSearchWarmCount", minimum=0, maximum=150),
            cold_storage=r.boolean("leasingSearchColdStorage"),
            volume_gb=r.integer("leasingSearchVolumeGb", minimum=10, maximum=16_384),
            create_service_linked_role=r.boolean("leasingSearchCreateServiceLinkedRole"),
        )
        _report(
            r,
            rules.search_topology_problems(
                instance_type=config.instance_type,
                instance_count=config.instance_count,
                master_type=config.master_type,
                master_count=config.master_count,
                warm_type=config.warm_type,
                warm_count=config.warm_count,
                cold_storage=config.cold_storage,
            ),
        )
        count_problem = rules.data_node_count_problem(config.instance_count)
        if count_problem:
            _report(r, [("instance_count", config.instance_count, count_problem)])
        return config


@dataclass(frozen=True)
class LeasingConfig:
    settings: StackSettings
    enabled: bool
    search: LeasingSearchConfig
    multi_region: bool
    vpc_cidrs: tuple[str, ...]
    availability_zones: int
    endpoint_availability_zones: int
    rds_proxy: bool
    global_database: bool
    aurora_auto_pause_seconds: int
    master_secret_rotation_days: int
    aurora_engine_version: str
    aurora_min_capacity: float
    aurora_max_capacity: float
    aurora_instances: int
    backup_retention_days: int
    api_memory_mb: int
    api_provisioned_concurrency: int
    api_reserved_concurrency: int
    api_domain_name: str
    api_hosted_zone_id: str
    private_zone_name: str
    writer_record_ttl: int
    partner_api_url: str
    partner_api_key: str
    outbox_relay_schedule: str
    event_archive_days: int
    log_retention_days: int
    alarm_emails: tuple[str, ...]

    @classmethod
    def read(cls, r: ConfigReader, settings: StackSettings) -> LeasingConfig:
        config = cls(
            settings=settings,
            enabled=r.boolean("leasingEnabled"),
            search=LeasingSearchConfig.read(r),
            multi_region=r.boolean("leasingMultiRegion"),
            vpc_cidrs=r.cidrs("leasingVpcCidrs"),
            availability_zones=r.integer("leasingAvailabilityZones", minimum=2, maximum=3),
            endpoint_availability_zones=r.integer("leasingEndpointAvailabilityZones", minimum=0, maximum=3),
            rds_proxy=r.boolean("leasingRdsProxy"),
            global_database=r.boolean("leasingGlobalDatabase"),
            aurora_auto_pause_seconds=r.integer("leasingAuroraAutoPauseSeconds", minimum=300, maximum=86_400),
            master_secret_rotation_days=r.integer("leasingMasterSecretRotationDays", minimum=0, maximum=1000),
            aurora_engine_version=r.string(
                "leasingAuroraEngineVersion",
                pattern=_ENGINE_VERSION,
                describe="an Aurora PostgreSQL version such as 16.6",
            ),
            aurora_min_capacity=r.number("leasingAuroraMinCapacity", minimum=0, maximum=256),
            aurora_max_capacity=r.number("leasingAuroraMaxCapacity", minimum=1, maximum=256),
            aurora_instances=r.integer("leasingAuroraInstances", minimum=1, maximum=4),
            backup_retention_days=r.integer("leasingBackupRetentionDays", minimum=1, maximum=35),
            api_memory_mb=r.integer("leasingApiMemoryMb", minimum=128, maximum=10240),
            api_provisioned_concurrency=r.integer("leasingApiProvisionedConcurrency", minimum=0, maximum=100),
            api_reserved_concurrency=r.integer("leasingApiReservedConcurrency", minimum=1, maximum=1000),
            api_domain_name=r.string(
                "leasingApiDomainName",
                pattern=formats.DNS_NAME,
                describe="a lower-case DNS name such as leasing-api.example.com, or empty",
            ),
            api_hosted_zone_id=r.string(
                "leasingApiHostedZoneId",
                pattern=_ZONE_ID,
                describe="a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, or empty",
            ),
            private_zone_name=r.string(
                "leasingPrivateZoneName",
                pattern=formats.DNS_NAME,
                describe="a private DNS zone name such as leasing.internal",
            ),
            writer_record_ttl=r.integer("leasingWriterRecordTtl", minimum=1, maximum=60),
            partner_api_url=r.string(
                "leasingPartnerApiUrl",
                pattern=_HTTPS_URL,
                describe="an https:// URL, or empty for no partner API destination",
            ),
            partner_api_key=r.string("leasingPartnerApiKey"),
            outbox_relay_schedule=r.string(
                "leasingOutboxRelaySchedule",
                pattern=_SCHEDULE,
                describe="an EventBridge schedule such as rate(1 minute)",
            ),
            event_archive_days=r.integer("leasingEventArchiveDays", minimum=1, maximum=3650),
            log_retention_days=r.log_retention("leasingLogRetentionDays"),
            alarm_emails=r.strings("leasingAlarmEmails", item=email_problem),
        )
        config._check(r)
        return config

    def _check(self, r: ConfigReader) -> None:
        _report(
            r,
            rules.database_topology_problems(
                multi_region=self.multi_region, global_database=self.global_database, rds_proxy=self.rds_proxy
            ),
        )
        _report(
            r,
            rules.aurora_capacity_problems(
                self.aurora_min_capacity,
                self.aurora_max_capacity,
                can_pause=not (self.rds_proxy or self.global_database),
            ),
        )
        if self.endpoint_availability_zones > self.availability_zones:
            r.problem(
                "leasingEndpointAvailabilityZones",
                self.endpoint_availability_zones,
                f"0 (every AZ) up to leasingAvailabilityZones ({self.availability_zones})",
            )
        _report(r, rules.vpc_cidrs_problems(self.vpc_cidrs))
        domain = rules.api_domain_problem(self.api_domain_name, self.api_hosted_zone_id)
        _report(r, [domain] if domain else [])
        if self.enabled and self.settings.is_prod and not self.multi_region:
            r.problem("leasingMultiRegion", False, "true in prod: the leasing platform is active-active in two Regions")
        if self.enabled and self.settings.is_prod and self.aurora_instances < 2:
            r.problem(
                "leasingAuroraInstances",
                self.aurora_instances,
                "at least 2 in prod: a reader in another AZ to fail over to",
            )
        if self.partner_api_key and not self.partner_api_url:
            r.problem("leasingPartnerApiKey", "(secret)", "leasingPartnerApiUrl set as well, or no key")

    def args(self, providers: ArchitectureProviders) -> LeasingPlatformArgs:
        s = self.settings
        return LeasingPlatformArgs(
            primary_provider=providers.primary,
            primary_region=s.primary_region,
            secondary_provider=providers.secondary if self.multi_region else None,
            secondary_region=s.secondary_region if self.multi_region else None,
            vpc_cidrs=tuple(self.vpc_cidrs),
            availability_zones=self.availability_zones,
            endpoint_availability_zones=self.endpoint_availability_zones,
            rds_proxy=self.rds_proxy,
            global_database=self.global_database,
            auto_pause_seconds=self.aurora_auto_pause_seconds,
            master_secret_rotation_days=self.master_secret_rotation_days,
            engine_version=self.aurora_engine_version,
            min_capacity=self.aurora_min_capacity,
            max_capacity=self.aurora_max_capacity,
            instances_per_cluster=self.aurora_instances,
            backup_retention_days=self.backup_retention_days,
            protect_data=s.protect_stateful_resources,
            api_memory_mb=self.api_memory_mb,
            api_provisioned_concurrency=self.api_provisioned_concurrency,
            api_reserved_concurrency=self.api_reserved_concurrency,
            api_domain_name=self.api_domain_name,
            api_hosted_zone_id=self.api_hosted_zone_id,
            private_zone_name=self.private_zone_name,
            writer_record_ttl=self.writer_record_ttl,
            partner_api_url=self.partner_api_url,
            partner_api_key=pulumi.Output.secret(self.partner_api_key) if self.partner_api_key else None,
            relay_schedule=self.outbox_relay_schedule,
            event_archive_days=self.event_archive_days,
            log_retention_days=self.log_retention_days,
            alarm_emails=self.alarm_emails,
            # The search side (Kinesis, OpenSearch, indexer and search functions) in every Region.
            search_builder=leasing_search.site_builder(
                {**self.search.component_values(), "lambda_packaging": s.lambda_packaging}
            ),
            lambda_packaging=s.lambda_packaging,
        )

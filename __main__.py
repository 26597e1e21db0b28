"""The Pulumi program: read the stack config, build providers, create the enabled architectures."""

import pulumi

import stack_config
from components.budget import StackBudget, StackBudgetArgs
from components.providers import ArchitectureProviders

config = stack_config.load()
settings = config.settings

stack_providers = ArchitectureProviders(settings, "stack")
budget = StackBudget(
    "monthly-budget",
    StackBudgetArgs(limit_usd=settings.monthly_budget_usd, alert_emails=settings.budget_alert_emails,
                    cost_filter_tags=(("Project", settings.project), ("Stack", settings.stack))),
    opts=pulumi.ResourceOptions(provider=stack_providers.primary),
)
pulumi.export("budgetName", budget.budget.name)

# --- Architecture A: EventBridge global endpoints ---
if config.events.enabled:
    from components.global_events import GlobalEventBus, GlobalEventBusArgs

    events_providers = ArchitectureProviders(settings, "global-events")
    events = config.events
    global_events = GlobalEventBus("orders-events", GlobalEventBusArgs(
        primary_provider=events_providers.primary,
        secondary_provider=events_providers.secondary,
        primary_region=settings.primary_region,
        secondary_region=settings.secondary_region,
        bus_name=events.bus_name,
        endpoint_name=events.endpoint_name,
        replication_enabled=events.replication_enabled,
        latency_threshold_ms=events.latency_threshold_ms,
        alarm_evaluation_periods=events.alarm_evaluation_periods,
        treat_missing_data=events.treat_missing_data,
        insufficient_data_health_status=events.insufficient_data_health_status,
        archive_retention_days=events.archive_retention_days,
        log_retention_days=events.log_retention_days,
        producer_enabled=events.producer_enabled,
        protect_stateful=settings.protect_stateful_resources,
    ))
    for output_name, output_value in global_events.outputs.items():
        pulumi.export(f"events{output_name[0].upper()}{output_name[1:]}", output_value)
# --- end of architecture A ---

# --- Architecture B: private APIs across accounts ---
# API Gateway's logging role is one setting per account and Region: B2 reuses the one B sets.
api_gateway_logging = {}
if config.private_api.enabled:
    import pulumi_aws as aws

    from components.private_api import CrossAccountPrivateApi, CrossAccountPrivateApiArgs

    pa = config.private_api
    pa_providers = ArchitectureProviders(settings, "private-api")
    producer_account = settings.producer_account_id or aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(provider=pa_providers.primary)).account_id
    consumer_account = settings.consumer_account_id or producer_account
    private_api = CrossAccountPrivateApi("private-api", CrossAccountPrivateApiArgs(
        producer_provider=pa_providers.primary, consumer_provider=pa_providers.consumer_primary,
        region=settings.primary_region, consumer_account_id=consumer_account, separate_consumer_account=settings.has_separate_consumer_account,
        patterns=frozenset(pa.patterns), allowed_vpce_ids=pa.allowed_vpce_ids, consumer_cidr=pa.consumer_cidr,
        proxy_cidr=pa.proxy_cidr, private_dns_enabled=pa.private_dns, stage_name=pa.stage_name,
        throttling_rate_limit=pa.throttle_rate_limit, throttling_burst_limit=pa.throttle_burst_limit,
        front_door_authorization=pa.front_door_authorization,
        front_door_throttling_rate_limit=pa.front_door_throttle_rate_limit,
        front_door_throttling_burst_limit=pa.front_door_throttle_burst_limit,
        mtls_server_certificate_arn=pa.mtls_server_certificate_arn, mtls_server_key_arn=pa.mtls_server_key_arn,
        mtls_client_ca_arn=pa.mtls_client_ca_arn, mtls_client_cidrs=pa.mtls_client_cidrs,
        mtls_kms_key_arns=pa.mtls_kms_key_arns, mtls_desired_count=pa.mtls_desired_count,
        log_retention_days=pa.log_retention_days))
    api_gateway_logging[settings.primary_region] = private_api.logging["producer"]
    for key, value in private_api.outputs.items():
        pulumi.export(f"privateApi{key[0].upper()}{key[1:]}", value)
# --- end of architecture B ---

# --- Architecture B2: resilient two-Region private API ---
if config.resilient_api.enabled:
    from components.resilient_api import MultiRegionPrivateApi, MultiRegionPrivateApiArgs, regions_from

    ra = config.resilient_api
    ra_providers = ArchitectureProviders(settings, "resilient-api")
    resilient_api = MultiRegionPrivateApi("resilient-api", MultiRegionPrivateApiArgs(
        regions=regions_from((settings.primary_region, ra_providers.primary),
                             (settings.secondary_region, ra_providers.secondary),
                             (ra.primary_cidr, ra.secondary_cidr), ra.certificate_arns, api_gateway_logging),
        dns_provider=ra_providers.primary, domain_name=ra.domain_name, zone_name=ra.zone_name,
        stage_name=ra.stage_name, base_path=ra.base_path, client_cidrs=ra.client_cidrs,
        healthy_host_threshold=ra.healthy_host_threshold, transit_gateway_peering=ra.transit_gateway_peering,
        log_retention_days=config.private_api.log_retention_days))
    pulumi.export("resilientApiUrl", resilient_api.url)
    pulumi.export("resilientApiZoneId", resilient_api.zone.zone_id)
# --- end of architecture B2 ---

# --- Architecture C: leasing and search platform ---
if config.leasing.enabled:
    from components import leasing_search
    from components.leasing import LeasingPlatform, LeasingPlatformArgs

    leasing_config = config.leasing
    leasing_providers = ArchitectureProviders(settings, "leasing")
    multi_region = leasing_config.multi_region
    leasing = LeasingPlatform("leasing", LeasingPlatformArgs(
        primary_provider=leasing_providers.primary, primary_region=settings.primary_region,
        secondary_provider=leasing_providers.secondary if multi_region else None,
        secondary_region=settings.secondary_region if multi_region else None,
        vpc_cidrs=tuple(leasing_config.vpc_cidrs), availability_zones=leasing_config.availability_zones,
        engine_version=leasing_config.aurora_engine_version, min_capacity=leasing_config.aurora_min_capacity,
        max_capacity=leasing_config.aurora_max_capacity, instances_per_cluster=leasing_config.aurora_instances,
        backup_retention_days=leasing_config.backup_retention_days,
        protect_data=settings.protect_stateful_resources,
        api_memory_mb=leasing_config.api_memory_mb,
        api_provisioned_concurrency=leasing_config.api_provisioned_concurrency,
        api_reserved_concurrency=leasing_config.api_reserved_concurrency,
        api_domain_name=leasing_config.api_domain_name, api_hosted_zone_id=leasing_config.api_hosted_zone_id,
        private_zone_name=leasing_config.private_zone_name, writer_record_ttl=leasing_config.writer_record_ttl,
        partner_api_url=leasing_config.partner_api_url,
        partner_api_key=pulumi.Output.secret(leasing_config.partner_api_key) if leasing_config.partner_api_key else None,
        relay_schedule=leasing_config.outbox_relay_schedule, event_archive_days=leasing_config.event_archive_days,
        log_retention_days=leasing_config.log_retention_days, alarm_emails=leasing_config.alarm_emails,
        # The search side (Kinesis, OpenSearch, indexer and search functions) in every Region.
        search_builder=leasing_search.site_builder(leasing_config.search.component_values()),
    ))
    pulumi.export("leasing", leasing.outputs)
# --- end of architecture C ---

# --- Architecture D: cloud gaming workstation ---
if config.gaming.enabled:
    from components.gaming import GamingWorkstation, GamingWorkstationArgs

    gaming_providers = ArchitectureProviders(settings, "gaming")
    gaming = GamingWorkstation(
        "gaming",
        GamingWorkstationArgs(region=settings.primary_region, provider=gaming_providers.primary,
                              **config.gaming.workstation_fields()),
    )
    # One object: `pulumi stack output --json | python -m tools.gaming_workstation status --stack-outputs -`
    pulumi.export("gaming", gaming.outputs())
# --- end of architecture D ---

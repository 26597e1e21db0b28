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
# --- end of architecture B ---

# --- Architecture B2: resilient two-Region private API ---
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

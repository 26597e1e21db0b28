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
# --- end of architecture C ---

# --- Architecture D: cloud gaming workstation ---
# --- end of architecture D ---

"""The Pulumi program: read the stack config, build providers, create the enabled architectures."""

from collections.abc import Mapping

import pulumi

import config
from components.budget import StackBudget, StackBudgetArgs
from components.providers import ArchitectureProviders

stack = config.load()
settings = stack.settings


def providers(architecture: str) -> ArchitectureProviders:
    return ArchitectureProviders(settings.providers, architecture)


def export(prefix: str, outputs: Mapping[str, object]) -> None:
    """Exports each output as ``<prefix><Key>`` (``events`` + ``endpointId`` -> ``eventsEndpointId``)."""
    for key, value in outputs.items():
        pulumi.export(f"{prefix}{key[0].upper()}{key[1:]}", value)


budget = StackBudget(
    "monthly-budget",
    StackBudgetArgs(
        limit_usd=settings.monthly_budget_usd,
        alert_emails=settings.budget_alert_emails,
        cost_filter_tags=(("Project", settings.project), ("Stack", settings.stack)),
    ),
    opts=pulumi.ResourceOptions(provider=providers("stack").primary),
)
pulumi.export("budgetName", budget.budget.name)

# A: EventBridge global endpoints
if stack.events.enabled:
    from components.global_events import GlobalEventBus

    export("events", GlobalEventBus("orders-events", stack.events.args(providers("global-events"))).outputs)

# B: private APIs across accounts. API Gateway's logging role is one setting per account and
# Region: B2 reuses the one B sets.
api_gateway_logging = {}
if stack.private_api.enabled:
    from components.private_api import CrossAccountPrivateApi

    private_api = CrossAccountPrivateApi("private-api", stack.private_api.args(providers("private-api")))
    api_gateway_logging[settings.primary_region] = private_api.logging["producer"]
    export("privateApi", private_api.outputs)

# B2: the resilient two-Region private API
if stack.resilient_api.enabled:
    from components.resilient_api import MultiRegionPrivateApi

    resilient_api = MultiRegionPrivateApi(
        "resilient-api", stack.resilient_api.args(providers("resilient-api"), api_gateway_logging)
    )
    export("resilientApi", resilient_api.outputs)

# C: leasing and search platform (one object: tools read it whole)
if stack.leasing.enabled:
    from components.leasing import LeasingPlatform

    pulumi.export("leasing", LeasingPlatform("leasing", stack.leasing.args(providers("leasing"))).outputs)

# D: cloud gaming workstation. One object:
# `pulumi stack output --json | python -m tools.gaming_workstation status --stack-outputs -`
if stack.gaming.enabled:
    from components.gaming import GamingWorkstation

    pulumi.export("gaming", GamingWorkstation("gaming", stack.gaming.args(providers("gaming"))).outputs())

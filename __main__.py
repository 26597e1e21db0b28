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
# --- end of architecture B ---

# --- Architecture B2: resilient two-Region private API ---
# --- end of architecture B2 ---

# --- Architecture C: leasing and search platform ---
# --- end of architecture C ---

# --- Architecture D: cloud gaming workstation ---
# --- end of architecture D ---

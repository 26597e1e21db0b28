"""The stack's AWS Budget: the monthly limit from the stack config, with e-mail notifications.

The cost policy pack compares its preview-time estimate with the same limit, so one number guards
both preview time and run time.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

# Percentages of the limit that notify: actual spend at 80% and 100%, forecast at 100%.
NOTIFICATIONS = (("ACTUAL", 80.0), ("ACTUAL", 100.0), ("FORECASTED", 100.0))


@dataclass(frozen=True)
class StackBudgetArgs:
    limit_usd: int
    alert_emails: tuple[str, ...] = ()
    cost_filter_tags: tuple[tuple[str, str], ...] = ()  # e.g. (("Project", "blueprints"), ("Stack", "dev"))

    def __post_init__(self):
        if self.limit_usd <= 0:
            raise ValueError(f"limit_usd must be positive, got {self.limit_usd}")


class StackBudget(pulumi.ComponentResource):
    def __init__(self, name: str, args: StackBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:budget:StackBudget", name, None, opts)
        notifications = [
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN", notification_type=kind, threshold=percent,
                threshold_type="PERCENTAGE", subscriber_email_addresses=list(args.alert_emails))
            for kind, percent in NOTIFICATIONS
        ] if args.alert_emails else None
        self.budget = aws.budgets.Budget(
            name,
            budget_type="COST",
            limit_amount=f"{args.limit_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            # Cost allocation tags must be activated in Billing for the filter to match.
            cost_filters=[aws.budgets.BudgetCostFilterArgs(
                name="TagKeyValue", values=[f"user:{key}${value}" for key, value in args.cost_filter_tags])]
            if args.cost_filter_tags else None,
            notifications=notifications,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"budgetName": self.budget.name})

"""The stack's AWS Budget: the monthly limit from the stack config, with notifications.

The cost policy pack compares its preview-time estimate with the same limit, so one number guards
both preview time and run time. Every notification goes to an SNS topic of the stack, so the alerts
exist (and chat, paging or a Lambda can subscribe to them) even when no e-mail address is
configured; configured addresses are notified directly as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.providers import child_opts

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
        child = child_opts(self)
        invoke = pulumi.InvokeOutputOptions(parent=self)  # the component's provider: the stack's account

        # Not encrypted: AWS Budgets can publish to an encrypted topic only through a customer managed
        # key that trusts budgets.amazonaws.com (1 USD a month), and the alerts carry no secrets.
        self.topic = aws.sns.Topic(f"{name}-alerts", opts=child)
        account = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        self.topic_policy = aws.sns.TopicPolicy(
            f"{name}-alerts",
            arn=self.topic.arn,
            policy=iam.policy_document(
                [
                    iam.resource_statement(
                        {"Service": "budgets.amazonaws.com"},
                        "SNS:Publish",
                        self.topic.arn,
                        sid="BudgetsPublishForThisAccountOnly",
                        # Confused deputy: only budgets of this account may publish.
                        conditions={
                            "StringEquals": {"aws:SourceAccount": account},
                            "ArnLike": {
                                "aws:SourceArn": pulumi.Output.concat(
                                    "arn:", partition, ":budgets::", account, ":budget/*"
                                )
                            },
                        },
                    )
                ]
            ),
            opts=child,
        )
        notifications = [
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                notification_type=kind,
                threshold=percent,
                threshold_type="PERCENTAGE",
                subscriber_sns_topic_arns=[self.topic.arn],
                subscriber_email_addresses=list(args.alert_emails) or None,
            )
            for kind, percent in NOTIFICATIONS
        ]
        self.budget = aws.budgets.Budget(
            name,
            budget_type="COST",
            limit_amount=f"{args.limit_usd:.2f}",
            limit_unit="USD",
            time_unit="MONTHLY",
            # Cost allocation tags must be activated in Billing for the filter to match.
            cost_filters=[
                aws.budgets.BudgetCostFilterArgs(
                    name="TagKeyValue", values=[f"user:{key}${value}" for key, value in args.cost_filter_tags]
                )
            ]
            if args.cost_filter_tags
            else None,
            notifications=notifications,
            # AWS Budgets checks that it may publish to the topic when the notification is created.
            opts=child_opts(self, depends_on=[self.topic_policy]),
        )
        self.register_outputs({"budgetName": self.budget.name, "alertTopicArn": self.topic.arn})

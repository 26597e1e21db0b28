"""Stack-wide settings every architecture may depend on (Regions, accounts, tags, budget)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from components.lambda_function import LambdaPackaging
from components.providers import ProviderSettings
from config.reader import ENVIRONMENTS, ROLE_ARN, ConfigReader


def email_problem(value: str) -> str | None:
    return None if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else "an e-mail address"


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    environment: str
    primary_region: str
    secondary_region: str
    producer_account_id: str | None
    consumer_account_id: str | None
    consumer_role_arn: str | None
    cost_center: str
    protect_stateful_resources: bool
    monthly_budget_usd: int
    budget_alert_emails: tuple[str, ...]
    lambda_packaging: LambdaPackaging

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def providers(self) -> ProviderSettings:
        """What ``components.providers.ArchitectureProviders`` needs."""
        return ProviderSettings(
            project=self.project,
            stack=self.stack,
            environment=self.environment,
            cost_center=self.cost_center,
            primary_region=self.primary_region,
            secondary_region=self.secondary_region,
            producer_account_id=self.producer_account_id,
            consumer_account_id=self.consumer_account_id,
            consumer_role_arn=self.consumer_role_arn,
        )

    @property
    def has_separate_consumer_account(self) -> bool:
        return self.providers.has_separate_consumer_account

    @classmethod
    def read(cls, r: ConfigReader, stack: str) -> StackSettings:
        settings = cls(
            project=r.project,
            stack=stack,
            environment=r.string("environment", choices=ENVIRONMENTS),
            primary_region=r.region("primaryRegion"),
            secondary_region=r.region("secondaryRegion"),
            producer_account_id=r.account_id("producerAccountId"),
            consumer_account_id=r.account_id("consumerAccountId"),
            consumer_role_arn=r.string(
                "consumerRoleArn",
                pattern=ROLE_ARN,
                describe="an IAM role ARN such as arn:aws:iam::222222222222:role/deploy",
            )
            or None,
            cost_center=r.string("costCenter"),
            protect_stateful_resources=r.boolean("protectStatefulResources"),
            monthly_budget_usd=r.integer("monthlyBudgetUsd", minimum=1),
            budget_alert_emails=r.strings("budgetAlertEmails", item=email_problem),
            # The offline preview (preview/harness.py) announces itself with OFFLINE_PREVIEW=1: its fake
            # AWS needs only the functions' own code, not their third-party wheels.
            lambda_packaging=LambdaPackaging(build_dependencies=os.environ.get("OFFLINE_PREVIEW") != "1"),
        )
        settings._check(r)
        return settings

    def _check(self, r: ConfigReader) -> None:
        if self.secondary_region and self.secondary_region == self.primary_region:
            r.problem(
                "secondaryRegion", self.secondary_region, f"a Region other than primaryRegion ({self.primary_region})"
            )
        if self.is_prod and self.consumer_account_id is None:
            r.problem(
                "consumerAccountId",
                "",
                "a consumer account id: prod stacks consume the private APIs from a second account",
            )
        # Judged against a valid consumer account only: an invalid one is reported under its own key.
        if self.has_separate_consumer_account and not r.reported("consumerAccountId"):
            if self.consumer_role_arn is None:
                r.problem(
                    "consumerRoleArn",
                    "",
                    f"a role ARN in account {self.consumer_account_id} to deploy the consumer side",
                )
            else:
                match = ROLE_ARN.match(self.consumer_role_arn)
                if match and match.group(1) != self.consumer_account_id:
                    r.problem(
                        "consumerRoleArn",
                        self.consumer_role_arn,
                        f"a role in the consumer account {self.consumer_account_id}",
                    )

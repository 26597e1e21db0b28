"""AWS providers, one per Region, account and architecture.

Components never use the default provider: they receive these explicitly. Each architecture gets
its own providers so the ``Architecture`` default tag is right on everything it creates; providers
are created on first use, so a stack only registers the ones it needs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import cached_property

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class ProviderSettings:
    """What the providers need to know about the stack (the config builds it)."""

    project: str
    stack: str
    environment: str
    cost_center: str
    primary_region: str
    secondary_region: str
    producer_account_id: str | None = None
    consumer_account_id: str | None = None
    consumer_role_arn: str | None = None

    @property
    def has_separate_consumer_account(self) -> bool:
        return self.consumer_account_id is not None and self.consumer_account_id != self.producer_account_id


class ArchitectureProviders:
    """The providers one architecture may use: producer and consumer account, both Regions."""

    def __init__(self, settings: ProviderSettings, architecture: str):
        self.settings = settings
        self.architecture = architecture

    def _provider(self, region: str, *, consumer: bool) -> aws.Provider:
        s = self.settings
        account = s.consumer_account_id if consumer else s.producer_account_id
        name = f"{self.architecture}-{'consumer-' if consumer else ''}{region}"
        return aws.Provider(
            name,
            region=region,
            # Refuse to touch any other account than the one the stack names.
            allowed_account_ids=[account] if account else None,
            assume_roles=[
                aws.ProviderAssumeRoleArgs(
                    role_arn=s.consumer_role_arn,
                    session_name=f"{s.project}-{s.stack}-{self.architecture}"[:64],
                )
            ]
            if consumer
            else None,
            default_tags=aws.ProviderDefaultTagsArgs(tags=self.tags),
        )

    @property
    def tags(self) -> dict[str, str]:
        s = self.settings
        return {
            "Project": s.project,
            "Stack": s.stack,
            "Architecture": self.architecture,
            "CostCenter": s.cost_center,
            "Environment": s.environment,
        }

    @cached_property
    def primary(self) -> aws.Provider:
        return self._provider(self.settings.primary_region, consumer=False)

    @cached_property
    def secondary(self) -> aws.Provider:
        return self._provider(self.settings.secondary_region, consumer=False)

    @cached_property
    def consumer_primary(self) -> aws.Provider:
        """The consumer account in the primary Region (the producer's provider when single-account)."""
        if not self.settings.has_separate_consumer_account:
            return self.primary
        return self._provider(self.settings.primary_region, consumer=True)

    @cached_property
    def consumer_secondary(self) -> aws.Provider:
        if not self.settings.has_separate_consumer_account:
            return self.secondary
        return self._provider(self.settings.secondary_region, consumer=True)

    @cached_property
    def producer_account_id(self) -> pulumi.Input[str]:
        """The producer account: the configured id, else the primary provider's caller identity."""
        return self.settings.producer_account_id or account_id(self.primary)

    @cached_property
    def consumer_account_id(self) -> pulumi.Input[str]:
        """The consumer account: the configured id, else the producer's (one account)."""
        return self.settings.consumer_account_id or self.producer_account_id

    def for_region(self, region: str) -> aws.Provider:
        """The producer-account provider of ``region`` (one of the two configured Regions)."""
        if region == self.settings.primary_region:
            return self.primary
        if region == self.settings.secondary_region:
            return self.secondary
        raise ValueError(f"{region} is neither the primary nor the secondary Region of this stack")


def child_opts(
    parent: pulumi.Resource, provider: pulumi.ProviderResource | None = None, **kwargs
) -> pulumi.ResourceOptions:
    """Options for a component's child: parented, with an explicit provider when given."""
    return pulumi.ResourceOptions(parent=parent, provider=provider, **kwargs)


# Weak keys: a provider (and its lookup) lives as long as the program run that made it.
_ACCOUNT_IDS: weakref.WeakKeyDictionary[pulumi.ProviderResource, pulumi.Output[str]] = weakref.WeakKeyDictionary()


def account_id(provider: pulumi.ProviderResource) -> pulumi.Output[str]:
    """The account ``provider`` deploys into: one caller-identity lookup per provider
    (https://www.pulumi.com/registry/packages/aws/api-docs/getcalleridentity/)."""
    if provider not in _ACCOUNT_IDS:
        _ACCOUNT_IDS[provider] = aws.get_caller_identity_output(
            opts=pulumi.InvokeOutputOptions(provider=provider)
        ).account_id
    return _ACCOUNT_IDS[provider]

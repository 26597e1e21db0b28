"""A realistic fake AWS for Pulumi mocks, shared by the tests and the offline preview.

``FakeAws`` implements ``pulumi.runtime.Mocks``. For every resource registration it answers what
AWS (through the pulumi-aws provider) would: an ID shaped like AWS's (``vpc-0abc...``,
``subnet-...``, API IDs of 10 characters, health-check UUIDs...), the ARN with the right partition,
Region and account, and the computed outputs programs depend on (``dnsName``, ``zoneId``,
``invokeArn``, ``endpoint``, ``networkInterfaceIds``...). Inputs pass through to the outputs under
their engine (camelCase) names, as the engine would return them.

Region and account, as the real provider decides them:
- Region: the resource's own ``region`` input (pulumi-aws v7 per-resource region), else the
  Region of its provider, else config ``aws:region``, else ``default_region``.
- Account: from its provider: the account in the last ``assumeRoles`` role ARN (v7: a list, the
  last role of a chain is the one used), else a single ``allowedAccountIds`` entry, else
  ``default_account``.
Providers are remembered by their ID; children name their provider as ``"<urn>::<id>"``.

Everything is deterministic: IDs derive from a hash of the resource URN (or type and name), so two
runs of the same program give the same IDs.

Layout: ``registry`` holds the per-type registry and the generators; one module per service family
(``iam``, ``ec2``, ``cloudwatch``, ``lambda_``, ``messaging``, ``security``, ``s3``, ``apigateway``,
``elb``, ``route53``, ``rds``, ``opensearch``, ``containers``, ``misc``, ``account``, and
``random_`` for pulumi-random) registers its
types with ``@aws_type(token, ...)`` (a function returning the physical ID and the computed outputs)
and its invokes with ``@aws_invoke(token)``. To add a type, add one function to its family. Any
``aws:`` type not in the registry gets a generic ID and ARN from its token (``generic``); an unknown
invoke answers ``{}`` and records a warning in ``FakeAws.warnings``. ``mocks`` holds ``FakeAws``.

awsx components (``awsx:ec2:Vpc``, ``awsx:ecs:FargateService``, ``awsx:lb:*``...) are remote
components: under mocks they are single opaque registrations, answered in ``awsx`` with realistic
outputs (``vpcId``, ``publicSubnetIds``, ``privateSubnetIds``...). Outputs that are resources
in awsx (``vpc``, ``subnets``, ``natGateways``) are returned as plain objects carrying their ``id``
and ``arn``.
"""

from typing import TYPE_CHECKING, Any

from .._values import plain
from ..records import InvokeRecord, ProviderInfo, ResourceRecord

# Each family registers its types and invokes on import.
from . import (
    account,
    apigateway,
    cloudwatch,
    containers,
    ec2,
    elb,
    iam,
    lambda_,
    messaging,
    misc,
    opensearch,
    random_,
    rds,
    route53,
    s3,
    security,
)
from .registry import DEFAULT_ACCOUNT, DEFAULT_REGION, availability_zones, aws_invoke, aws_type

if TYPE_CHECKING:
    from .mocks import FakeAws


def __getattr__(name: str) -> Any:
    """``FakeAws`` on first use (PEP 562): it implements the Pulumi SDK's mocks, so importing it
    loads the SDK, which the engine's side of the preview reads the registry without."""
    if name == "FakeAws":
        from .mocks import FakeAws

        return FakeAws
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_ACCOUNT",
    "DEFAULT_REGION",
    "FakeAws",
    "InvokeRecord",
    "ProviderInfo",
    "ResourceRecord",
    "availability_zones",
    "aws_invoke",
    "aws_type",
    "plain",
]

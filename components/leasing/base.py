"""What every part of ``LeasingPlatform`` shares: the per-Region record of resources, the attributes the
parts set on the platform, and the naming and options helpers.

The platform is one ComponentResource assembled from parts (one module each: network, keys and alarms,
database, lease events, functions, master secret rotation, API); each part is a class of private
methods over this base, so every child keeps the name, type and parent it had in the single module.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.lambda_function import PythonFunction
from components.leasing.args import LeasingPlatformArgs
from components.network import Network
from components.providers import child_opts


@dataclass
class LeasingSite:
    """The resources of one Region, kept as attributes of ``LeasingPlatform.sites[region]``."""

    region: str
    provider: pulumi.ProviderResource
    cidr: str
    is_primary: bool
    network: Network | None = None
    key: aws.kms.Key | None = None
    function_sg: aws.ec2.SecurityGroup | None = None
    proxy_sg: aws.ec2.SecurityGroup | None = None
    database_sg: aws.ec2.SecurityGroup | None = None
    cluster: aws.rds.Cluster | None = None
    instances: list[aws.rds.ClusterInstance] = field(default_factory=list)
    proxy: aws.rds.Proxy | None = None
    proxy_target: aws.rds.ProxyTarget | None = None
    alarm_topic: aws.sns.Topic | None = None
    bus: aws.cloudwatch.EventBus | None = None
    functions: dict[str, PythonFunction] = field(default_factory=dict)
    api_alias: aws.lambda_.Alias | None = None
    rest_api: aws.apigateway.RestApi | None = None
    stage: aws.apigateway.Stage | None = None
    api_errors_alarm: aws.cloudwatch.MetricAlarm | None = None
    lease_topic: aws.sns.Topic | None = None
    dead_letter_queues: dict[str, aws.sqs.Queue] = field(default_factory=dict)
    rules: dict[str, aws.cloudwatch.EventRule] = field(default_factory=dict)
    search: Sequence[pulumi.Resource] = ()


class PlatformBase(pulumi.ComponentResource):
    """The state the parts read and write (set in ``LeasingPlatform.__init__`` and the parts) and helpers."""

    args: LeasingPlatformArgs
    name: str
    identifier: str
    account_id: pulumi.Output[str]
    sites: dict[str, LeasingSite]
    primary: LeasingSite
    peering: aws.ec2.VpcPeeringConnection
    peering_accepter: aws.ec2.VpcPeeringConnectionAccepter
    global_cluster: aws.rds.GlobalCluster | None
    master_secret: aws.secretsmanager.Secret
    # None without a global database (``DatabasePart._private_zone`` sets them).
    private_zone: aws.route53.Zone | None = None
    writer_record: aws.route53.Record | None = None
    writer_fqdn: str
    migrations: aws.lambda_.Invocation
    master_secret_rotation: aws.secretsmanager.SecretRotation

    def _opts(self, site: LeasingSite, **kwargs) -> pulumi.ResourceOptions:
        return child_opts(self, provider=site.provider, **kwargs)

    def _n(self, site: LeasingSite, part: str) -> str:
        return f"{self.name}-{site.region}-{part}"

    def _other(self, site: LeasingSite) -> LeasingSite | None:
        return next((s for s in self.sites.values() if s is not site), None)

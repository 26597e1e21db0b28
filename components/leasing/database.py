"""The Aurora Serverless v2 global database (master secret replicated to the secondary Region), RDS Proxy
per Region, the private zone with the writer record, and how functions connect."""

from __future__ import annotations

import secrets

import pulumi
import pulumi_aws as aws

from components import alarms, iam
from components.leasing.base import LeasingSite, PlatformBase
from components.leasing.constants import DIRECT_SSLMODE, ENGINE, METRICS_NAMESPACE, PORT


class DatabasePart(PlatformBase):
    """Aurora, RDS Proxy and the writer record."""

    def _database(self) -> None:
        args, primary = self.args, self.primary
        protect = args.protect_data
        # A one-Region stack may do without the global cluster (it cannot auto-pause as a global primary:
        # https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html).
        self.global_cluster = (
            aws.rds.GlobalCluster(
                f"{self.name}-global",
                global_cluster_identifier=self.identifier,
                engine=ENGINE,
                engine_version=args.engine_version,
                database_name=args.database_name,
                storage_encrypted=True,
                deletion_protection=protect,
                opts=self._opts(primary, protect=protect),
            )
            if args.global_database
            else None
        )

        # Generated once: later runs draw another value, which ignore_changes keeps out of the diff.
        password = pulumi.Output.secret(secrets.token_urlsafe(30))
        self.master_secret = aws.secretsmanager.Secret(
            f"{self.name}-master-secret",
            description=f"Aurora master user of {self.identifier}; RDS Proxy reads it",
            recovery_window_in_days=30 if protect else 0,
            replicas=[
                aws.secretsmanager.SecretReplicaArgs(region=s.region) for s in self.sites.values() if not s.is_primary
            ],
            opts=self._opts(primary, protect=protect),
        )
        aws.secretsmanager.SecretVersion(
            f"{self.name}-master-secret-value",
            secret_id=self.master_secret.id,
            secret_string=pulumi.Output.json_dumps({"username": args.master_username, "password": password}),
            opts=self._opts(primary, ignore_changes=["secretString"]),
        )

        for site in self.sites.values():
            subnet_group = aws.rds.SubnetGroup(
                self._n(site, "db-subnets"),
                subnet_ids=site.network.private_subnet_ids,
                description="Private subnets of the leasing database",
                opts=self._opts(site),
            )
            common = dict(
                engine=ENGINE,
                engine_mode="provisioned",
                engine_version=args.engine_version,
                global_cluster_identifier=self.global_cluster.id if self.global_cluster else None,
                serverlessv2_scaling_configuration=aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=args.min_capacity,
                    max_capacity=args.max_capacity,
                    seconds_until_auto_pause=args.auto_pause_seconds if args.min_capacity == 0 else None,
                ),
                storage_encrypted=True,
                kms_key_id=site.key.arn,
                iam_database_authentication_enabled=True,
                db_subnet_group_name=subnet_group.name,
                vpc_security_group_ids=[site.database_sg.id],
                backup_retention_period=args.backup_retention_days,
                preferred_backup_window="07:00-08:00",
                copy_tags_to_snapshot=True,
                deletion_protection=protect,
                skip_final_snapshot=not protect,
                final_snapshot_identifier=f"{self.identifier}-{site.region}-final" if protect else None,
                apply_immediately=not protect,
            )
            # Aurora moves member engine versions itself during global upgrades and failovers; the
            # global cluster's engine_version is the one this program changes.
            ignored = ["engineVersion"]
            if site.is_primary:
                site.cluster = aws.rds.Cluster(
                    self._n(site, "cluster"),
                    database_name=args.database_name,
                    master_username=args.master_username,
                    master_password=password,
                    **common,
                    opts=self._opts(site, protect=protect, ignore_changes=[*ignored, "masterPassword"]),
                )
            else:
                site.cluster = aws.rds.Cluster(
                    self._n(site, "cluster"),
                    **common,
                    opts=self._opts(
                        site,
                        protect=protect,
                        depends_on=primary.instances,
                        ignore_changes=[*ignored, "replicationSourceIdentifier"],
                    ),
                )
            site.instances = [
                aws.rds.ClusterInstance(
                    self._n(site, f"db-{index}"),
                    cluster_identifier=site.cluster.id,
                    engine=ENGINE,
                    instance_class="db.serverless",
                    publicly_accessible=False,
                    db_subnet_group_name=subnet_group.name,
                    promotion_tier=index,
                    auto_minor_version_upgrade=True,
                    performance_insights_enabled=protect,
                    opts=self._opts(site, protect=protect),
                )
                for index in range(args.instances_per_cluster)
            ]
            alarms.metric_alarm(
                self._n(site, "acu-alarm"),
                alarms.ACU_HIGH,
                dimensions={"DBClusterIdentifier": site.cluster.cluster_identifier},
                description="Aurora runs near its maximum capacity: raise leasingAuroraMaxCapacity",
                actions=[site.alarm_topic.arn],
                opts=self._opts(site),
            )

    def _regional_secret_arn(self, site: LeasingSite) -> pulumi.Output[str]:
        if site.is_primary:
            return self.master_secret.arn
        primary_region = self.primary.region
        return self.master_secret.arn.apply(lambda arn: arn.replace(f":{primary_region}:", f":{site.region}:", 1))

    def _proxy(self, site: LeasingSite) -> None:
        """End-to-end IAM authentication for the application user (no password anywhere: the proxy
        connects to Aurora with an IAM token too), and the master secret for the migrations only
        (IAM-authenticated clients mapped to it; the proxy role may use both, as in the migration guide).
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-migration.html"""
        proxy_name = f"{self.identifier}"[:60]
        app_user = pulumi.Output.all(self.account_id, site.cluster.cluster_resource_id).apply(
            lambda v, region=site.region: f"arn:aws:rds-db:{region}:{v[0]}:dbuser:{v[1]}/{self.args.app_username}"
        )
        role = aws.iam.Role(
            self._n(site, "proxy-role"),
            path=iam.ROLE_PATH,
            assume_role_policy=iam.service_trust_policy("rds.amazonaws.com", source_account=self.account_id),
            description="RDS Proxy: the leasing master secret and IAM connections as the application user",
            opts=self._opts(site),
        )
        aws.iam.RolePolicy(
            self._n(site, "proxy-policy"),
            role=role.id,
            policy=iam.policy_document(
                [
                    iam.statement(["secretsmanager:GetSecretValue"], [self._regional_secret_arn(site)]),
                    iam.statement(["rds-db:connect"], [app_user]),
                ]
            ),
            opts=self._opts(site),
        )
        # The proxy writes here; created first so it has a retention instead of keeping logs forever.
        log_group = aws.cloudwatch.LogGroup(
            self._n(site, "proxy-logs"),
            name=f"/aws/rds/proxy/{proxy_name}",
            retention_in_days=self.args.log_retention_days,
            opts=self._opts(site),
        )
        site.proxy = aws.rds.Proxy(
            self._n(site, "proxy"),
            name=proxy_name,
            engine_family="POSTGRESQL",
            role_arn=role.arn,
            vpc_subnet_ids=site.network.private_subnet_ids,
            vpc_security_group_ids=[site.proxy_sg.id],
            require_tls=True,
            idle_client_timeout=1800,
            debug_logging=False,
            default_auth_scheme="IAM_AUTH",
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    iam_auth="REQUIRED",
                    secret_arn=self._regional_secret_arn(site),
                    description="IAM-authenticated migrations as the master user",
                )
            ],
            opts=self._opts(site, depends_on=[log_group]),
        )
        target_group = aws.rds.ProxyDefaultTargetGroup(
            self._n(site, "proxy-targets"),
            db_proxy_name=site.proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=90, max_idle_connections_percent=50, connection_borrow_timeout=120
            ),
            opts=self._opts(site),
        )
        site.proxy_target = aws.rds.ProxyTarget(
            self._n(site, "proxy-cluster"),
            db_proxy_name=site.proxy.name,
            target_group_name=target_group.name,
            db_cluster_identifier=site.cluster.cluster_identifier,
            opts=self._opts(site, depends_on=site.instances),
        )

    def _database_host(self, site: LeasingSite) -> pulumi.Output[str]:
        """Where this Region's functions reach its own cluster's writer: its proxy, or the cluster endpoint."""
        return site.proxy.endpoint if site.proxy is not None else site.cluster.endpoint

    def _private_zone(self) -> None:
        primary = self.primary
        self.private_zone = aws.route53.Zone(
            f"{self.name}-private-zone",
            name=self.args.private_zone_name,
            comment="Leasing: the writer record follows the Aurora global database primary",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=s.network.vpc_id, vpc_region=s.region) for s in self.sites.values()],
            opts=self._opts(primary),
        )
        self.writer_fqdn = f"writer.{self.args.private_zone_name}"
        self.writer_record = aws.route53.Record(
            f"{self.name}-writer",
            zone_id=self.private_zone.zone_id,
            name=self.writer_fqdn,
            type="CNAME",
            ttl=self.args.writer_record_ttl,
            records=[self._database_host(primary)],
            # The failover function owns the value after creation; a deploy must not undo a failover.
            opts=self._opts(primary, ignore_changes=["records"]),
        )

    def _rds_connect_arns(self, user: str) -> list[pulumi.Output[str]]:
        """rds-db:connect as ``user`` through every proxy (the writer may be behind either Region's), or
        straight to the cluster without a proxy (the resource id in the ARN is the proxy's or the
        cluster's: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.IAMDBAuth.IAMPolicy.html,
        https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy-iam-setup.html)."""

        def arn(site: LeasingSite) -> pulumi.Output[str]:
            resource_id = (
                site.proxy.arn.apply(lambda a: a.split(":")[-1])
                if site.proxy is not None
                else site.cluster.cluster_resource_id
            )
            return pulumi.Output.all(self.account_id, resource_id).apply(
                lambda v, region=site.region: f"arn:aws:rds-db:{region}:{v[0]}:dbuser:{v[1]}/{user}"
            )

        return [arn(s) for s in self.sites.values()]

    def _database_environment(self, user: str | None = None) -> dict[str, pulumi.Input[str]]:
        """As the application user (default) through the writer record, which follows the primary of a
        global database; without one, straight to the cluster's writer endpoint."""
        host = (
            {"DB_HOST": self.writer_fqdn, "DB_HOST_IS_ALIAS": "true"}
            if self.writer_record is not None
            else {"DB_HOST": self._database_host(self.primary), "DB_HOST_IS_ALIAS": "false"}
        )
        return {
            **host,
            "DB_PORT": str(PORT),
            "DB_NAME": self.args.database_name,
            "DB_USER": user or self.args.app_username,
            "DB_AUTH": "iam",
            "DB_SSLMODE": "verify-full" if self.args.rds_proxy else DIRECT_SSLMODE,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        }

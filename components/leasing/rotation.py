"""Master secret rotation on a schedule, by a single-user rotation function in the primary Region."""

from __future__ import annotations

import pulumi_aws as aws

from components import iam, security_groups
from components.leasing.constants import DIRECT_SSLMODE, PORT
from components.leasing.functions import FunctionsPart


class RotationPart(FunctionsPart):
    """Rotates the Aurora master password."""

    def _master_secret_rotation(self) -> None:
        """Rotates the master password on a schedule. Aurora-managed master passwords (which rotate
        themselves) are not available to clusters of a global database
        (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html#rds-secrets-manager-limitations),
        so a single-user rotation function does it (lambdas/master_secret_rotation). It connects to the
        global database's writer endpoint, which follows switchovers and failovers
        (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-connecting.html),
        so it may reach the other Region's cluster over the peering; Secrets Manager replicates the new
        version to the secondary Region, whose proxy reads it there."""
        primary, args = self.primary, self.args
        group = aws.ec2.SecurityGroup(
            self._n(primary, "rotation"),
            vpc_id=primary.network.vpc_id,
            description="Master secret rotation: out to Aurora and the Secrets Manager endpoint",
            opts=self._opts(primary),
        )
        rule = self._opts(primary)
        security_groups.tcp_egress(
            self._n(primary, "rotation-to-endpoints"),
            security_group_id=group.id,
            cidr=primary.cidr,
            description="HTTPS to the Secrets Manager endpoint",
            opts=rule,
        )
        security_groups.allow(
            self._n(primary, "rotation-to-database"),
            self._n(primary, "database-from-rotation"),
            source_security_group_id=group.id,
            destination_security_group_id=primary.database_sg.id,
            port=PORT,
            egress_description="PostgreSQL to Aurora (master password change)",
            ingress_description="PostgreSQL from the master secret rotation",
            opts=rule,
        )
        other = self._other(primary)
        if other is not None:
            security_groups.tcp_egress(
                self._n(primary, "rotation-to-peer-database"),
                security_group_id=group.id,
                cidr=other.cidr,
                port=PORT,
                description=f"PostgreSQL to Aurora in {other.region} when it holds the writer",
                opts=rule,
            )
            security_groups.tcp_ingress(
                self._n(other, "database-from-peer-rotation"),
                security_group_id=other.database_sg.id,
                cidr=primary.cidr,
                port=PORT,
                description=f"PostgreSQL from the master secret rotation in {primary.region}",
                opts=self._opts(other),
            )
        host = self.global_cluster.endpoint if self.global_cluster is not None else primary.cluster.endpoint
        secret = self.master_secret.arn
        function = self._function(
            primary,
            "secret-rotation",
            "master_secret_rotation",
            in_vpc=True,
            security_group=group,
            memory_mb=256,
            timeout_seconds=60,
            description="Rotates the Aurora master password in its secret",
            reserved_concurrency=1,
            environment={
                "DB_HOST": host,
                "DB_PORT": str(PORT),
                "DB_NAME": args.database_name,
                "DB_SSLMODE": DIRECT_SSLMODE,
            },
            policy_statements=[
                iam.statement(
                    [
                        "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue",
                        "secretsmanager:PutSecretValue",
                        "secretsmanager:UpdateSecretVersionStage",
                    ],
                    [secret],
                )
            ],
        )
        permission = aws.lambda_.Permission(
            self._n(primary, "secret-rotation-invoke"),
            action="lambda:InvokeFunction",
            function=function.name,
            principal="secretsmanager.amazonaws.com",
            source_arn=secret,
            # https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets-required-permissions-function.html
            opts=self._opts(primary),
        )
        self.master_secret_rotation = aws.secretsmanager.SecretRotation(
            f"{self.name}-master-secret-rotation",
            secret_id=self.master_secret.id,
            rotation_lambda_arn=function.arn,
            rotation_rules=aws.secretsmanager.SecretRotationRotationRulesArgs(
                automatically_after_days=args.master_secret_rotation_days
            ),
            opts=self._opts(primary, depends_on=[permission, self.migrations]),
        )

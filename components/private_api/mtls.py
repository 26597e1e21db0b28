"""Pattern 3: the mTLS NGINX proxy on Fargate, published through a VPC endpoint service."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components import iam
from components.mtls_proxy import (
    MaterialSource,
    ProxyMaterial,
    ProxySettings,
    container_command,
    render_bootstrap_script,
)
from components.private_api.consumer import PrivateApiConsumer
from components.private_api.shared import (
    AWS_CLI_IMAGE,
    HTTPS,
    NGINX_IMAGE,
    check_log_retention,
    execute_api_host,
)
from components.providers import account_id, child_opts
from components.rules import private_api as rules
from components.security_groups import allow, tcp_egress, tcp_ingress


def material_source(arn: str) -> MaterialSource:
    """A Secrets Manager secret ARN or an SSM parameter ARN, as a bootstrap material source."""
    problem = rules.material_arn_problem(arn)
    if problem:
        raise ValueError(f"{arn!r}: expected {problem}")
    return MaterialSource(arn.split(":")[2], arn)


@dataclass(frozen=True)
class MtlsProxyArgs:
    """NGINX verifying client certificates in front of the private API (producer account).

    network: the proxy's own VPC with its execute-api endpoint (a PrivateApiConsumer with NAT, so
    the task can pull images and read its TLS material).
    server_certificate_arn / server_key_arn / client_ca_arn: Secrets Manager secret or SSM
    SecureString parameter ARNs; their values never appear in the task definition.
    allowed_principal_account_ids: accounts allowed to create endpoints to the endpoint service.
    """

    provider: pulumi.ProviderResource
    region: str
    network: PrivateApiConsumer
    api_id: pulumi.Input[str]
    api_stage_name: str
    server_certificate_arn: str
    server_key_arn: str
    client_ca_arn: str
    allowed_principal_account_ids: Sequence[pulumi.Input[str]]
    kms_key_arns: tuple[str, ...] = ()
    desired_count: int = 2
    cpu: int = 256
    memory_mb: int = 512
    min_tls_version: str = "TLSv1.2"
    health_port: int = 8080
    nginx_image: str = NGINX_IMAGE
    init_image: str = AWS_CLI_IMAGE
    log_retention_days: int = 30

    def __post_init__(self) -> None:
        self.material()  # raises on a bad ARN
        self.proxy_settings("abcdefghij.execute-api.us-east-1.amazonaws.com", "vpce-0.example")  # checks the rest
        if not self.allowed_principal_account_ids:
            raise ValueError("allowed_principal_account_ids: name the consumer account(s) of the endpoint service")
        if not 1 <= self.desired_count <= 10:
            raise ValueError(f"desired_count must be 1-10, got {self.desired_count}")
        if (self.cpu, self.memory_mb) not in ((256, 512), (256, 1024), (512, 1024), (512, 2048), (1024, 2048)):
            raise ValueError(f"cpu/memory {self.cpu}/{self.memory_mb}: use a Fargate size such as 256/512")
        check_log_retention(self.log_retention_days)

    def material(self) -> ProxyMaterial:
        return ProxyMaterial(
            server_certificate=material_source(self.server_certificate_arn),
            server_key=material_source(self.server_key_arn),
            client_ca=material_source(self.client_ca_arn),
        )

    def proxy_settings(self, api_host: str, upstream_address: str) -> ProxySettings:
        return ProxySettings(
            api_host=api_host,
            upstream_address=upstream_address,
            stage_name=self.api_stage_name,
            min_tls_version=self.min_tls_version,
            health_port=self.health_port,
        )


class MtlsProxy(pulumi.ComponentResource):
    """Children: `proxy_security_group`, `nlb_security_group`, `log_group`, `execution_role`,
    `task_role`, `task_definition`, `cluster`, `service`, `nlb`, `target_group`, `listener`,
    `endpoint_service`. Output: `service_name` (for consumers' interface endpoints)."""

    def __init__(self, name: str, args: MtlsProxyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:MtlsProxy", name, None, opts)
        child = child_opts(self, args.provider)
        network = args.network
        vpc_id = network.network.vpc_id
        material = args.material()
        account = account_id(args.provider)

        # Security groups: clients → (endpoint service) NLB → proxy → execute-api endpoint. Only the
        # proxy may use the endpoint, so nothing in this VPC bypasses the certificate check.
        self.nlb_security_group = aws.ec2.SecurityGroup(
            f"{name}-nlb", vpc_id=vpc_id, description="mTLS proxy NLB: to the proxy tasks only", opts=child
        )
        self.proxy_security_group = aws.ec2.SecurityGroup(
            f"{name}-tasks", vpc_id=vpc_id, description="mTLS proxy tasks", opts=child
        )
        for port, what in ((HTTPS, "mTLS traffic"), (args.health_port, "health checks")):
            allow(
                f"{name}-nlb-to-tasks-{port}",
                f"{name}-tasks-from-nlb-{port}",
                source_security_group_id=self.nlb_security_group.id,
                destination_security_group_id=self.proxy_security_group.id,
                port=port,
                egress_description=f"{what} to the proxy tasks",
                ingress_description=f"{what} from the proxy NLB",
                opts=child,
            )
        allow(
            f"{name}-tasks-to-endpoint",
            f"{name}-endpoint-from-tasks",
            source_security_group_id=self.proxy_security_group.id,
            destination_security_group_id=network.endpoint_security_group.id,
            egress_description="HTTPS to the private API through the execute-api endpoint",
            ingress_description="HTTPS from the mTLS proxy tasks only",
            opts=child,
        )
        # Secrets Manager, SSM, CloudWatch Logs and the public image registry, through the NAT gateway.
        tcp_egress(
            f"{name}-tasks-to-aws-apis",
            security_group_id=self.proxy_security_group.id,
            cidr="0.0.0.0/0",
            description="HTTPS to AWS APIs and the image registry (via NAT)",
            opts=child,
        )

        self.log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name_prefix=f"/ecs/{name}-", retention_in_days=args.log_retention_days, opts=child
        )
        ecs_trust = iam.service_trust_policy("ecs-tasks.amazonaws.com", source_account=account)
        self.execution_role = aws.iam.Role(
            f"{name}-execution",
            path=iam.ROLE_PATH,
            assume_role_policy=ecs_trust,
            description="ECS agent: write the proxy's logs",
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-execution-logs",
            role=self.execution_role.id,
            policy=iam.policy_document(
                [
                    iam.statement(
                        ["logs:CreateLogStream", "logs:PutLogEvents"],
                        [self.log_group.arn.apply(lambda arn: f"{arn}:*")],
                    )
                ]
            ),
            opts=child,
        )
        self.task_role = aws.iam.Role(
            f"{name}-task",
            path=iam.ROLE_PATH,
            assume_role_policy=ecs_trust,
            description="mTLS proxy start-up: read its TLS material",
            opts=child,
        )
        secrets = [s.ref for _, s, _ in material.files() if s.kind == "secretsmanager"]
        parameters = [s.ref for _, s, _ in material.files() if s.kind == "ssm"]
        statements = []
        if secrets:
            statements.append(iam.statement(["secretsmanager:GetSecretValue"], sorted(set(secrets))))
        if parameters:
            statements.append(iam.statement(["ssm:GetParameter"], sorted(set(parameters))))
        if args.kms_key_arns:
            statements.append(
                iam.statement(
                    ["kms:Decrypt"],
                    list(args.kms_key_arns),
                    conditions={
                        "StringEquals": {
                            "kms:ViaService": [
                                f"secretsmanager.{args.region}.amazonaws.com",
                                f"ssm.{args.region}.amazonaws.com",
                            ]
                        }
                    },
                )
            )
        self.task_role_policy = aws.iam.RolePolicy(
            f"{name}-task-material", role=self.task_role.id, policy=iam.policy_document(statements), opts=child
        )

        def containers(values: list) -> str:
            api_host, endpoint_dns, log_group = values
            settings = args.proxy_settings(api_host, endpoint_dns)
            logging = {
                "logDriver": "awslogs",
                "options": {"awslogs-group": log_group, "awslogs-region": args.region, "awslogs-stream-prefix": name},
            }
            return json.dumps(
                [
                    {
                        "name": "fetch-tls-material",
                        "image": args.init_image,
                        "essential": False,
                        "entryPoint": ["/bin/sh", "-c"],
                        "command": [render_bootstrap_script(settings, material, args.region)],
                        "readonlyRootFilesystem": True,
                        # The root file system is read-only; anything the CLI writes goes to the tmp volume.
                        "environment": [{"name": "HOME", "value": "/tmp"}],
                        "mountPoints": [
                            {"sourceVolume": "tls-material", "containerPath": settings.material_dir},
                            {"sourceVolume": "init-tmp", "containerPath": "/tmp"},
                        ],
                        "logConfiguration": logging,
                    },
                    {
                        "name": "nginx",
                        "image": args.nginx_image,
                        "essential": True,
                        "command": container_command(settings),
                        "readonlyRootFilesystem": True,
                        "portMappings": [
                            {"containerPort": HTTPS, "protocol": "tcp"},
                            {"containerPort": settings.health_port, "protocol": "tcp"},
                        ],
                        "mountPoints": [
                            {"sourceVolume": "tls-material", "containerPath": settings.material_dir, "readOnly": True},
                            {"sourceVolume": "nginx-runtime", "containerPath": settings.runtime_dir},
                        ],
                        "dependsOn": [{"containerName": "fetch-tls-material", "condition": "SUCCESS"}],
                        "healthCheck": {
                            "command": [
                                "CMD-SHELL",
                                f"curl -fs http://127.0.0.1:{settings.health_port}/health || exit 1",
                            ],
                            "interval": 15,
                            "timeout": 5,
                            "retries": 3,
                            "startPeriod": 10,
                        },
                        "logConfiguration": logging,
                    },
                ]
            )

        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=f"{name}-mtls-proxy",
            cpu=str(args.cpu),
            memory=str(args.memory_mb),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                cpu_architecture="ARM64", operating_system_family="LINUX"
            ),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name=v) for v in ("tls-material", "nginx-runtime", "init-tmp")],
            # Rendered from Outputs without creating resources: the API host and the endpoint name.
            container_definitions=pulumi.Output.all(
                execute_api_host(args.api_id, args.region),
                network.endpoint_dns_name,
                self.log_group.name,
            ).apply(containers),
            opts=child,
        )

        self.nlb = aws.lb.LoadBalancer(
            f"{name}-nlb",
            load_balancer_type="network",
            internal=True,
            subnets=network.network.private_subnet_ids,
            security_groups=[self.nlb_security_group.id],
            enable_cross_zone_load_balancing=True,
            # Consumers arrive over PrivateLink (the endpoint service); the certificate check is the gate.
            enforce_security_group_inbound_rules_on_private_link_traffic="off",
            opts=child,
        )
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tasks",
            target_type="ip",
            port=HTTPS,
            protocol="TCP",
            vpc_id=vpc_id,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                protocol="HTTP",
                port=str(args.health_port),
                path="/health",
                matcher="200",
                interval=10,
                healthy_threshold=2,
                unhealthy_threshold=2,
            ),
            deregistration_delay=30,
            opts=child,
        )
        self.listener = aws.lb.Listener(
            f"{name}-tls-passthrough",
            load_balancer_arn=self.nlb.arn,
            port=HTTPS,
            protocol="TCP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)],
            opts=child,
        )
        self.cluster = aws.ecs.Cluster(f"{name}-cluster", opts=child)
        self.service = aws.ecs.Service(
            f"{name}-service",
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            launch_type="FARGATE",
            platform_version="LATEST",
            desired_count=args.desired_count,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=network.network.private_subnet_ids,
                security_groups=[self.proxy_security_group.id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=self.target_group.arn, container_name="nginx", container_port=HTTPS
                )
            ],
            health_check_grace_period_seconds=60,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            propagate_tags="SERVICE",
            opts=child_opts(self, args.provider, depends_on=[self.listener]),
        )
        self.endpoint_service = aws.ec2.VpcEndpointService(
            f"{name}-service-endpoint",
            network_load_balancer_arns=[self.nlb.arn],
            # Only the named accounts may connect; no manual acceptance step in between.
            acceptance_required=False,
            allowed_principals=[
                pulumi.Output.concat("arn:aws:iam::", a, ":root") for a in args.allowed_principal_account_ids
            ],
            tags={"Name": f"{name}-mtls-proxy"},
            opts=child,
        )
        self.service_name = self.endpoint_service.service_name
        self.register_outputs(
            {"serviceName": self.service_name, "nlbArn": self.nlb.arn, "taskDefinitionArn": self.task_definition.arn}
        )


@dataclass(frozen=True)
class MtlsClientEndpointArgs:
    """A consumer's interface endpoint to the mTLS proxy's endpoint service."""

    provider: pulumi.ProviderResource
    consumer: PrivateApiConsumer
    service_name: pulumi.Input[str]
    client_cidrs: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.client_cidrs:
            raise ValueError("client_cidrs: name the networks of the mTLS clients")


class MtlsClientEndpoint(pulumi.ComponentResource):
    def __init__(self, name: str, args: MtlsClientEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:private_api:MtlsClientEndpoint", name, None, opts)
        child = child_opts(self, args.provider)
        network = args.consumer.network
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=network.vpc_id, description="mTLS clients to the proxy endpoint", opts=child
        )
        for i, cidr in enumerate(args.client_cidrs):
            tcp_ingress(
                f"{name}-client-{i}",
                security_group_id=self.security_group.id,
                cidr=cidr,
                description="HTTPS (mTLS) from an allowed client network",
                opts=child,
            )
        self.endpoint = aws.ec2.VpcEndpoint(
            f"{name}-endpoint",
            vpc_id=network.vpc_id,
            vpc_endpoint_type="Interface",
            service_name=args.service_name,
            subnet_ids=network.private_subnet_ids,
            security_group_ids=[self.security_group.id],
            private_dns_enabled=False,
            tags={"Name": f"{name}-mtls-proxy"},
            opts=child,
        )
        self.dns_name = self.endpoint.dns_entries.apply(lambda entries: entries[0].dns_name)
        self.register_outputs({"endpointId": self.endpoint.id, "dnsName": self.dns_name})

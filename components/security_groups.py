"""Security-group rules, written once: one TCP port in or out, and the egress/ingress pair that lets
one group reach another (both sides are needed: security groups are stateful per direction of the
first packet, https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

HTTPS = 443


def tcp_ingress(
    name: str,
    *,
    security_group_id: pulumi.Input[str],
    description: str,
    opts: pulumi.ResourceOptions,
    source_security_group_id: pulumi.Input[str] | None = None,
    cidr: pulumi.Input[str] | None = None,
    port: int = HTTPS,
) -> aws.vpc.SecurityGroupIngressRule:
    """TCP ``port`` in from a security group or a CIDR."""
    return aws.vpc.SecurityGroupIngressRule(
        name,
        security_group_id=security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=source_security_group_id,
        cidr_ipv4=cidr,
        description=description,
        opts=opts,
    )


def tcp_egress(
    name: str,
    *,
    security_group_id: pulumi.Input[str],
    description: str,
    opts: pulumi.ResourceOptions,
    destination_security_group_id: pulumi.Input[str] | None = None,
    cidr: pulumi.Input[str] | None = None,
    port: int = HTTPS,
) -> aws.vpc.SecurityGroupEgressRule:
    """TCP ``port`` out to a security group or a CIDR."""
    return aws.vpc.SecurityGroupEgressRule(
        name,
        security_group_id=security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=destination_security_group_id,
        cidr_ipv4=cidr,
        description=description,
        opts=opts,
    )


def allow(
    egress_name: str,
    ingress_name: str,
    *,
    source_security_group_id: pulumi.Input[str],
    destination_security_group_id: pulumi.Input[str],
    egress_description: str,
    ingress_description: str,
    opts: pulumi.ResourceOptions,
    port: int = HTTPS,
) -> tuple[aws.vpc.SecurityGroupEgressRule, aws.vpc.SecurityGroupIngressRule]:
    """``source`` may open TCP ``port`` to ``destination``: its egress rule and the destination's ingress."""
    return (
        tcp_egress(
            egress_name,
            security_group_id=source_security_group_id,
            destination_security_group_id=destination_security_group_id,
            port=port,
            description=egress_description,
            opts=opts,
        ),
        tcp_ingress(
            ingress_name,
            security_group_id=destination_security_group_id,
            source_security_group_id=source_security_group_id,
            port=port,
            description=ingress_description,
            opts=opts,
        ),
    )

"""Networking: NAT gateways per VPC, interface endpoint ENIs per Region, the Region allow-list."""

from __future__ import annotations

from collections import defaultdict

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .config import option, schema, settings
from .stack import StackIndex
from .values import UNKNOWN, json_value, plain

NAT_OPTIONS = {
    "maxPerVpc": option(1, "Most NAT gateways per VPC (each bills about 33 USD a month before data).", minimum=0),
}


def _nat_cap(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    cap = int(settings("cost-nat-gateway-cap", NAT_OPTIONS, args.get_config())["maxPerVpc"])
    stack = StackIndex(args.resources)
    per_vpc: dict[str, list] = defaultdict(list)
    for nat in stack.of_type("aws:ec2/natGateway:NatGateway"):
        subnets = stack.referenced(nat, "subnetId", nat.get("subnetId"), ["aws:ec2/subnet:Subnet"], keys=("id",))
        vpc = subnets[0].get("vpcId") if subnets else None
        key = vpc if isinstance(vpc, str) else f"(VPC unknown, {nat.region})"
        per_vpc[key].append(nat)
    for vpc, nats in per_vpc.items():
        if len(nats) > cap:
            names = ", ".join(n.name for n in nats)
            report_violation(
                f"{len(nats)} NAT gateways in {vpc} ({names}), more than {cap}: each costs about "
                "33 USD a month plus 0.045 USD/GB. Share one, or use VPC endpoints.",
                nats[cap].urn,
            )


nat_gateway_cap = StackValidationPolicy(
    name="cost-nat-gateway-cap",
    description="No VPC has more NAT gateways than the stack allows.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_nat_cap,
    config_schema=schema(NAT_OPTIONS),
)

VPCE_OPTIONS = {
    "maxInterfaceEnisPerRegion": option(
        16,
        "Most interface endpoint ENIs (endpoints x subnets) per Region; each bills about 7.30 USD a month.",
        minimum=0,
    ),
}


def _vpce_count(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    cap = int(settings("cost-vpce-count", VPCE_OPTIONS, args.get_config())["maxInterfaceEnisPerRegion"])
    stack = StackIndex(args.resources)
    per_region: dict[str, int] = defaultdict(int)
    endpoints: dict[str, list[str]] = defaultdict(list)
    for endpoint in stack.of_type("aws:ec2/vpcEndpoint:VpcEndpoint"):
        if endpoint.get("vpcEndpointType") != "Interface":
            continue
        subnets = endpoint.get("subnetIds")
        count = len(subnets) if isinstance(subnets, list) and subnets else 2
        per_region[endpoint.region or "?"] += count
        endpoints[endpoint.region or "?"].append(f"{endpoint.name} x{count}")
    for region, enis in sorted(per_region.items()):
        if enis > cap:
            report_violation(
                f"{enis} interface endpoint ENIs in {region} ({', '.join(endpoints[region])}), more "
                f"than {cap}: {enis * 7.3:,.2f} USD a month before data. Share endpoints across "
                "VPCs or drop the ones a gateway endpoint or NAT could serve."
            )


vpce_count = StackValidationPolicy(
    name="cost-vpce-count",
    description="Interface VPC endpoint ENIs per Region stay within the stack's cap.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_vpce_count,
    config_schema=schema(VPCE_OPTIONS),
)

REGION_OPTIONS = {
    "allowedRegions": option(["us-east-1", "us-west-2"], "Regions this stack may deploy to."),
}


def _region(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    allowed = list(settings("cost-region-allowlist", REGION_OPTIONS, args.get_config())["allowedRegions"])
    props = plain(args.props)
    if args.resource_type == "pulumi:providers:aws":
        region = json_value(props.get("region"))
        if region is None:
            report_violation(
                "The AWS provider sets no region, so it takes AWS_REGION or the profile's Region from "
                f"whoever runs the deployment; set region to one of {', '.join(allowed)}."
            )
        elif region is not UNKNOWN and region not in allowed:
            report_violation(f"Provider Region {region} is not allowed; allowed: {', '.join(allowed)}.")
        return
    if not args.resource_type.startswith("aws:"):
        return
    region = props.get("region")
    if isinstance(region, str) and region not in allowed:
        report_violation(f"Region {region} is not allowed; allowed: {', '.join(allowed)}.")


region_allowlist = ResourceValidationPolicy(
    name="cost-region-allowlist",
    description="AWS providers and resources stay in the stack's Regions.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_region,
    config_schema=schema(REGION_OPTIONS),
)

POLICIES = [nat_gateway_cap, vpce_count, region_allowlist]

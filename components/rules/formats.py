"""Formats several architectures share: log retention, DNS names, ACM ARNs, endpoint ids, CIDRs.

Each ``*_problem`` function returns what is expected when the value is invalid, else None.
"""

from __future__ import annotations

import ipaddress
import re

# The values CloudWatch Logs accepts for retentionInDays
# (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
ACM_CERTIFICATE_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}$")
VPC_ENDPOINT_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# API Gateway's account default is 10,000 requests/s with a 5,000 burst (seed S4:49-53).
MAX_THROTTLE_RATE = 10_000.0
MAX_THROTTLE_BURST = 5_000


def log_retention_problem(days: int) -> str | None:
    if days in LOG_RETENTION_DAYS:
        return None
    return "a retention CloudWatch Logs accepts: " + ", ".join(map(str, LOG_RETENTION_DAYS))


def dns_name_problem(name: str) -> str | None:
    return None if DNS_NAME.match(name or "") else "a lower-case DNS name"


def name_in_zone_problem(name: str, zone: str) -> str | None:
    return None if name.endswith("." + zone) else f"a name inside the zone {zone}"


def certificate_problem(arn: str, region: str | None = None) -> str | None:
    """An ACM certificate ARN, issued in ``region`` when given (ACM certificates are Regional:
    https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html)."""
    match = ACM_CERTIFICATE_ARN.match(arn or "")
    if not match:
        return "an ACM certificate ARN"
    if region and match.group(1) != region:
        return f"a certificate in {region} (ACM certificates are Regional)"
    return None


def vpc_endpoint_id_problem(value: str) -> str | None:
    return None if VPC_ENDPOINT_ID.match(value) else "a VPC endpoint id such as vpce-0a1b2c3d4e5f60718"


def throttle_problems(rate: float, burst: int) -> list[str]:
    """Stage throttling within the account's API Gateway quota."""
    problems = []
    if not 0 < rate <= MAX_THROTTLE_RATE:
        problems.append(f"a rate limit in (0, {MAX_THROTTLE_RATE:.0f}] requests/s")
    if not 0 < burst <= MAX_THROTTLE_BURST:
        problems.append(f"a burst limit in (0, {MAX_THROTTLE_BURST}]")
    return problems


def cidr_problem(value: str) -> str | None:
    """What is expected when ``value`` is not an IPv4/IPv6 network in CIDR notation, else None."""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return "a network in CIDR notation such as 198.51.100.7/32 (host bits zero)"
    return None if "/" in value else f"a CIDR with an explicit prefix length, e.g. {network}"


def vpc_cidr_problem(value: str) -> str | None:
    """A VPC range: a CIDR between /16 and /24 (the sizes this project's VPCs use)."""
    problem = cidr_problem(value)
    if problem:
        return problem
    return None if 16 <= ipaddress.ip_network(value).prefixlen <= 24 else "a VPC CIDR between /16 and /24"


def cidr_pair_problems(first: str, second: str) -> tuple[str | None, str | None]:
    """Two VPC ranges that are peered or reached from each other: each a VPC CIDR, not overlapping.
    Returns the problem of the first and of the second (an overlap is the second's)."""
    problems = (vpc_cidr_problem(first), vpc_cidr_problem(second))
    if problems == (None, None) and ipaddress.ip_network(first).overlaps(ipaddress.ip_network(second)):
        return None, "a range that does not overlap the other VPC's"
    return problems

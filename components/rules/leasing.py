"""Rules of architecture C (leasing and search), shared by the stack config and the Args.

Each rule returns ``(argument, value, expected)`` problems; the config maps the argument to its
stack key, the Args name the argument.
"""

from __future__ import annotations

import re

from components.rules import formats

Problem = tuple[str, object, str]

# Dedicated master nodes: 3 or 5 (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-dedicatedmasternodes.html).
DEDICATED_MASTER_COUNTS = (0, 3, 5)
SEARCH_INSTANCE_TYPE = re.compile(r"^[a-z0-9]+\.[a-z0-9]+\.search$")
SEARCH_ENGINE_VERSION = re.compile(r"^(OpenSearch|Elasticsearch)_\d+\.\d+$")


def search_topology_problems(
    *,
    instance_type: str,
    instance_count: int,
    master_type: str,
    master_count: int,
    warm_type: str,
    warm_count: int,
    cold_storage: bool,
) -> list[Problem]:
    """A domain OpenSearch Service can create: masters, UltraWarm and cold storage in the combinations
    it accepts (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ultrawarm.html#ultrawarm-pp,
    https://docs.aws.amazon.com/opensearch-service/latest/developerguide/cold-storage.html#coldstorage-pp)."""
    problems: list[Problem] = []
    if master_count not in DEDICATED_MASTER_COUNTS:
        problems.append(("master_count", master_count, "0, 3 or 5 dedicated master nodes"))
    if bool(master_count) != bool(master_type):
        problems.append(("master_type", master_type, "a master instance type exactly when the master count is above 0"))
    if warm_count == 1:
        problems.append(("warm_count", warm_count, "0, or at least 2 UltraWarm nodes"))
    if bool(warm_count) != bool(warm_type):
        problems.append(("warm_type", warm_type, "an UltraWarm type exactly when the warm count is above 0"))
    if warm_count and not master_count:
        problems.append(("warm_count", warm_count, "0 unless dedicated masters are set (UltraWarm needs them)"))
    if warm_count and instance_type.startswith("t"):
        problems.append(("instance_type", instance_type, "a non-burstable type when UltraWarm is on"))
    if cold_storage and not warm_count:
        problems.append(("cold_storage", cold_storage, "false unless UltraWarm is on (cold storage needs it)"))
    return problems


def data_node_count_problem(count: int, zones: int | None = None) -> str | None:
    """Data nodes spread evenly over the AZs: one node, or a multiple of the AZ count (2 or 3; either
    when the subnets are not known yet)."""
    if count < 1:
        return "at least 1 data node"
    if count == 1:
        return None
    if zones is None:
        return (
            None
            if count % 2 == 0 or count % 3 == 0
            else "1, or a multiple of 2 or 3 (data nodes spread evenly over 2 or 3 AZs)"
        )
    if zones < 2:
        return f"1 unless private subnets in 2 or 3 AZs are given (got {zones})"
    return (
        None if count % zones == 0 else f"a multiple of the AZ count ({zones}); three nodes need subnets in three AZs"
    )


def aurora_capacity_problems(min_capacity: float, max_capacity: float, *, can_pause: bool = False) -> list[Problem]:
    """Aurora Serverless v2 capacity in 0.5 ACU steps up to 256, 0 only where the instance can auto-pause
    (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html,
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html: an
    instance behind RDS Proxy or in a global database never pauses, so 0 would bill 0.5 ACU anyway)."""
    problems: list[Problem] = []
    if min_capacity < 0.5 and not (can_pause and min_capacity == 0):
        problems.append(
            (
                "min_capacity",
                min_capacity,
                "at least 0.5, or 0 (auto-pause) only without RDS Proxy and without a global database",
            )
        )
    for argument, value in (("min_capacity", min_capacity), ("max_capacity", max_capacity)):
        if value * 2 != int(value * 2):
            problems.append((argument, value, "a multiple of 0.5 ACU"))
        if value > 256:
            problems.append((argument, value, "at most 256 ACU"))
    if max_capacity < min_capacity or max_capacity < 1:
        problems.append(
            ("max_capacity", max_capacity, f"at least 1 and at least the minimum capacity ({min_capacity})")
        )
    return problems


def database_topology_problems(*, multi_region: bool, global_database: bool, rds_proxy: bool) -> list[Problem]:
    """Two Regions share one Aurora global database, and each Region's functions reach the writer
    through the RDS Proxy the writer record names (the failover function moves it between proxies)."""
    problems: list[Problem] = []
    if multi_region and not global_database:
        problems.append(("global_database", global_database, "true when the platform spans two Regions"))
    if multi_region and not rds_proxy:
        problems.append(
            (
                "rds_proxy",
                rds_proxy,
                "true when the platform spans two Regions (the writer record names the proxy of the current primary)",
            )
        )
    return problems


def vpc_cidrs_problems(cidrs: tuple[str, ...] | list[str]) -> list[Problem]:
    """The two Regions' VPCs are peered: two VPC ranges that do not overlap."""
    if len(cidrs) != 2:
        return [("vpc_cidrs", list(cidrs), "two CIDRs: the primary and the secondary Region's VPC")]
    return [("vpc_cidrs", cidr, problem) for cidr, problem in zip(cidrs, formats.cidr_pair_problems(*cidrs)) if problem]


def api_domain_problem(domain_name: str, hosted_zone_id: str) -> Problem | None:
    if bool(domain_name) == bool(hosted_zone_id):
        return None
    missing = "api_hosted_zone_id" if domain_name else "api_domain_name"
    return (missing, "", "both the API domain name and its public hosted zone id, or neither")

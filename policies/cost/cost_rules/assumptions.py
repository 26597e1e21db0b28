"""Settings of the estimate: where the declared usage is, and the few assumptions that are not usage
(Spot discount, AMI root volume size, Region fallback).

Each is a policy config key of ``monthly-cost-estimate`` (and of ``cost-stack-monthly-budget``,
which reuses that estimate), so a stack sets them in ``config/<stack>.json`` or with
``--policy-pack-config``. Usage itself (requests, GB, hours) is never assumed: see ``usage.py``.
"""

from __future__ import annotations

from .config import Option, option

GPU_FAMILIES = ["g3", "g3s", "g4dn", "g4ad", "g5", "g5g", "g6", "g6e", "gr6", "p3", "p4d", "p5"]

ASSUMPTIONS: dict[str, Option] = {
    "usage": option(
        "",
        "Declared usage (requests, GB, hours played...): a path to a usage file (YAML or JSON, absolute or "
        "relative to the pack directory, e.g. ../../usage/prod.yaml) or the usage document itself as an "
        "object. Without it every usage-based charge is 0 and listed as depending on usage.",
        type=["string", "object"],
    ),
    "gpuInstanceFamilies": option(
        GPU_FAMILIES, "Instance families billed by the hours played (declared monthly_hours), not all month."
    ),
    "spotPriceFraction": option(
        0.35,
        "Spot price (EC2 and Fargate Spot) as a fraction of on-demand; the range spans 0.1 to 1.0.",
        minimum=0.05,
        maximum=1,
    ),
    "defaultRootVolumeGb": option(
        30.0, "Root volume size (GB) when it comes from the AMI and no input says.", minimum=1
    ),
    "regionFallbackMargin": option(
        0.25,
        "When a Region has no prices in the table, us-east-1 prices are used and the high bound is "
        "raised by this fraction.",
        minimum=0,
    ),
    "defaultRegion": option("us-east-1", "Region assumed for a resource whose provider, input and ARN name none."),
}

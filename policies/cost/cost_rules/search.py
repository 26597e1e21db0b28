"""OpenSearch domain sizing and Kinesis stream capacity."""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from .config import option, schema, settings
from .values import UNKNOWN, get, number, plain

DOMAIN = "aws:opensearch/domain:Domain"
STREAM = "aws:kinesis/stream:Stream"

OPENSEARCH_OPTIONS = {
    "allowedInstanceTypes": option(
        [
            "t3.small.search",
            "t3.medium.search",
            "m6g.large.search",
            "m6g.xlarge.search",
            "r6g.large.search",
            "r6g.xlarge.search",
            "c6g.large.search",
        ],
        "Data node instance types allowed.",
    ),
    "maxInstanceCount": option(6, "Most data nodes per domain.", minimum=1),
    "allowDedicatedMasters": option(True, "Allow dedicated master nodes (three more instances)."),
    "allowedMasterTypes": option(
        ["m6g.large.search", "r6g.large.search", "c6g.large.search"], "Dedicated master instance types allowed."
    ),
    "allowUltraWarm": option(True, "Allow UltraWarm nodes."),
    "allowedWarmTypes": option(["ultrawarm1.medium.search"], "UltraWarm instance types allowed."),
    "maxWarmCount": option(3, "Most UltraWarm nodes per domain.", minimum=0),
    "maxVolumeSizeGib": option(512, "Largest EBS volume per data node (GiB).", minimum=10),
}


def _opensearch(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != DOMAIN:
        return
    config = settings("cost-opensearch-sizing", OPENSEARCH_OPTIONS, args.get_config())
    props = plain(args.props)
    cluster = props.get("clusterConfig") or {}
    instance_type = get(cluster, "instanceType")
    if isinstance(instance_type, str) and instance_type not in config["allowedInstanceTypes"]:
        report_violation(
            f"Data node type {instance_type} is not allowed; allowed: {', '.join(config['allowedInstanceTypes'])}."
        )
    elif instance_type is None:
        report_violation(
            "clusterConfig.instanceType is not set: the service default is a previous-generation "
            "type; choose an allowed one."
        )
    count = number(get(cluster, "instanceCount"))
    if isinstance(count, float) and count > float(config["maxInstanceCount"]):
        report_violation(f"{count:g} data nodes is above the cap of {config['maxInstanceCount']:g}.")
    if get(cluster, "dedicatedMasterEnabled") is True:
        master_type = get(cluster, "dedicatedMasterType")
        if not config["allowDedicatedMasters"]:
            report_violation(
                "Dedicated masters are not allowed in this stack (three more instances billed "
                "around the clock); turn dedicatedMasterEnabled off."
            )
        elif isinstance(master_type, str) and master_type not in config["allowedMasterTypes"]:
            report_violation(
                f"Dedicated master type {master_type} is not allowed; allowed: "
                f"{', '.join(config['allowedMasterTypes'])}."
            )
    if get(cluster, "warmEnabled") is True:
        warm_type, warm_count = get(cluster, "warmType"), number(get(cluster, "warmCount"))
        if not config["allowUltraWarm"]:
            report_violation("UltraWarm is not allowed in this stack; turn warmEnabled off.")
        else:
            if isinstance(warm_type, str) and warm_type not in config["allowedWarmTypes"]:
                report_violation(
                    f"UltraWarm type {warm_type} is not allowed; allowed: {', '.join(config['allowedWarmTypes'])}."
                )
            if isinstance(warm_count, float) and warm_count > float(config["maxWarmCount"]):
                report_violation(f"{warm_count:g} UltraWarm nodes is above the cap of {config['maxWarmCount']:g}.")
    ebs = props.get("ebsOptions") or {}
    if get(ebs, "ebsEnabled") is True:
        volume_type = get(ebs, "volumeType")
        if volume_type is not UNKNOWN and volume_type != "gp3":
            report_violation(
                f"EBS volume type is {volume_type or 'not set (gp2)'}: use gp3, cheaper for the same baseline."
            )
        size = number(get(ebs, "volumeSize"))
        if isinstance(size, float) and size > float(config["maxVolumeSizeGib"]):
            report_violation(
                f"EBS volume of {size:g} GiB per node is above the cap of {config['maxVolumeSizeGib']:g} GiB."
            )


opensearch_sizing = ResourceValidationPolicy(
    name="cost-opensearch-sizing",
    description="OpenSearch domains use allowed node types and counts, gp3 volumes within the size cap.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_opensearch,
    config_schema=schema(OPENSEARCH_OPTIONS),
)

KINESIS_OPTIONS = {
    "allowedStreamModes": option(["ON_DEMAND", "PROVISIONED"], "Capacity modes allowed."),
    "maxShards": option(4, "Most shards of a provisioned stream.", minimum=1),
    "maxRetentionHours": option(24, "Longest retention; beyond 24 h is billed as extended retention.", minimum=24),
    "preferAwsManagedKey": option(
        True, "Flag a customer managed KMS key (billed per key and per request) where alias/aws/kinesis would do."
    ),
}


def _kinesis(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != STREAM:
        return
    config = settings("cost-kinesis-capacity", KINESIS_OPTIONS, args.get_config())
    props = plain(args.props)
    mode = get(props, "streamModeDetails", "streamMode", default="PROVISIONED")
    if isinstance(mode, str) and mode not in config["allowedStreamModes"]:
        report_violation(f"Stream mode {mode} is not allowed; allowed: {', '.join(config['allowedStreamModes'])}.")
    shards = number(props.get("shardCount"))
    if mode == "PROVISIONED" and isinstance(shards, float) and shards > float(config["maxShards"]):
        report_violation(
            f"{shards:g} shards is above the cap of {config['maxShards']:g} "
            f"({shards * 0.015 * 730:,.2f} USD a month in shard-hours)."
        )
    retention = number(props.get("retentionPeriod"))
    if isinstance(retention, float) and retention > float(config["maxRetentionHours"]):
        report_violation(
            f"Retention of {retention:g} h is above {config['maxRetentionHours']:g} h: the hours beyond "
            "24 are billed as extended retention."
        )
    key = props.get("kmsKeyId")
    if (
        config["preferAwsManagedKey"]
        and props.get("encryptionType") == "KMS"
        and isinstance(key, str)
        and not key.endswith("alias/aws/kinesis")
    ):
        report_violation(
            "The stream uses a customer managed KMS key: every producer and consumer call is a billed "
            "KMS request (and the key costs 1 USD a month); alias/aws/kinesis encrypts at no key charge."
        )


kinesis_capacity = ResourceValidationPolicy(
    name="cost-kinesis-capacity",
    description="Kinesis streams stay within the stack's mode, shard and retention caps.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_kinesis,
    config_schema=schema(KINESIS_OPTIONS),
)

POLICIES = [opensearch_sizing, kinesis_capacity]

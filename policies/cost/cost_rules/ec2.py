"""EC2 and EBS: instance types per stack, gp3 volumes within caps, no idle Elastic IPs, GPU idle
auto-stop, detailed monitoring off."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from .assumptions import GPU_FAMILIES
from .config import option, schema, settings
from .pricing.ec2 import family, launch_template_of, stopping_alarms
from .stack import Res, StackIndex
from .values import UNKNOWN, get, number, plain

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
VOLUME = "aws:ebs/volume:Volume"
EIP = "aws:ec2/eip:Eip"

# The gaming workstation's sizes (seed: g4dn.xlarge NVIDIA, g4ad.4xlarge AMD, G5) and small utility sizes.
DEFAULT_INSTANCE_TYPES = [
    "g4dn.xlarge",
    "g4dn.2xlarge",
    "g4dn.4xlarge",
    "g4ad.xlarge",
    "g4ad.2xlarge",
    "g4ad.4xlarge",
    "g5.xlarge",
    "g5.2xlarge",
    "g5.4xlarge",
    "t3.micro",
    "t3.small",
    "t3.medium",
    "t4g.micro",
    "t4g.small",
    "t4g.medium",
]


def matches(value: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(value, pattern) for pattern in patterns)


# --- instance types --------------------------------------------------------------------------------
INSTANCE_TYPE_OPTIONS = {
    "allowedInstanceTypes": option(
        DEFAULT_INSTANCE_TYPES, "Instance types this stack may run (shell patterns such as 't4g.*' allowed)."
    ),
}


def _instance_types(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (INSTANCE, LAUNCH_TEMPLATE):
        return
    config = settings("cost-ec2-instance-type-allowlist", INSTANCE_TYPE_OPTIONS, args.get_config())
    instance_type = plain(args.props).get("instanceType")
    if instance_type is None or instance_type is UNKNOWN:
        return  # an instance launched from a template is checked on the template
    allowed = list(config["allowedInstanceTypes"])
    if not matches(instance_type, allowed):
        report_violation(f"Instance type {instance_type} is not allowed in this stack; allowed: {', '.join(allowed)}.")


instance_type_allowlist = ResourceValidationPolicy(
    name="cost-ec2-instance-type-allowlist",
    description="EC2 instances and launch templates use an instance type allowed for the stack.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_instance_types,
    config_schema=schema(INSTANCE_TYPE_OPTIONS),
)


# --- volumes -----------------------------------------------------------------------------------------
def volumes(resource_type: str, props: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], str]]:
    """(label, volume settings, name of the type key) for every EBS volume the resource declares."""
    if resource_type == VOLUME:
        yield "volume", props, "type"
    elif resource_type == INSTANCE:
        root = props.get("rootBlockDevice")
        if isinstance(root, Mapping):
            yield "rootBlockDevice", root, "volumeType"
        elif props.get("launchTemplate") is None:
            yield "rootBlockDevice", {}, "volumeType"  # from the AMI: the type is whatever the AMI says
        for index, device in enumerate(props.get("ebsBlockDevices") or []):
            if isinstance(device, Mapping):
                yield f"ebsBlockDevices[{index}]", device, "volumeType"
    elif resource_type == LAUNCH_TEMPLATE:
        for index, mapping in enumerate(props.get("blockDeviceMappings") or []):
            ebs = get(mapping, "ebs")
            if isinstance(ebs, Mapping):
                yield f"blockDeviceMappings[{index}].ebs", ebs, "volumeType"


GP3_OPTIONS = {
    "allowedVolumeTypes": option(["gp3"], "EBS volume types allowed (gp3 is cheaper than gp2 for the same baseline)."),
}


def _gp3(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (VOLUME, INSTANCE, LAUNCH_TEMPLATE):
        return
    allowed = list(settings("cost-ebs-gp3", GP3_OPTIONS, args.get_config())["allowedVolumeTypes"])
    for label, volume, key in volumes(args.resource_type, plain(args.props)):
        volume_type = volume.get(key)
        if volume_type is UNKNOWN:
            continue
        if volume_type is None:
            report_violation(
                f"{label}: the volume type is not set, so AWS picks it (gp2 for new volumes and many "
                f"AMIs); set {key} to {allowed[0]}."
            )
        elif volume_type not in allowed:
            report_violation(f"{label}: volume type {volume_type} is not allowed; use {' or '.join(allowed)}.")


ebs_gp3 = ResourceValidationPolicy(
    name="cost-ebs-gp3",
    description="EBS volumes (standalone, instance and launch template) are gp3.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_gp3,
    config_schema=schema(GP3_OPTIONS),
)

CAPS_OPTIONS = {
    "maxVolumeSizeGib": option(512, "Largest EBS volume size (GiB).", minimum=1),
    "allowProvisionedPerformance": option(
        False, "Allow gp3 IOPS above 3,000 or throughput above 125 MB/s (billed on top of the baseline)."
    ),
}


def _caps(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (VOLUME, INSTANCE, LAUNCH_TEMPLATE):
        return
    config = settings("cost-ebs-size-iops-caps", CAPS_OPTIONS, args.get_config())
    cap = float(config["maxVolumeSizeGib"])
    for label, volume, key in volumes(args.resource_type, plain(args.props)):
        size = number(volume.get("size" if key == "type" else "volumeSize"))
        if isinstance(size, float) and size > cap:
            report_violation(f"{label}: {size:g} GiB is above the {cap:g} GiB cap for this stack.")
        if volume.get(key) == "gp3" and not config["allowProvisionedPerformance"]:
            iops, throughput = number(volume.get("iops")), number(volume.get("throughput"))
            if isinstance(iops, float) and iops > 3000:
                report_violation(
                    f"{label}: {iops:g} IOPS is above the free gp3 baseline of 3,000 (extra IOPS are "
                    "billed); set allowProvisionedPerformance if the workload needs them."
                )
            if isinstance(throughput, float) and throughput > 125:
                report_violation(f"{label}: {throughput:g} MB/s is above the free gp3 baseline of 125 MB/s.")


ebs_size_iops_caps = ResourceValidationPolicy(
    name="cost-ebs-size-iops-caps",
    description="EBS volumes stay within the size cap and the free gp3 IOPS and throughput baseline.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_caps,
    config_schema=schema(CAPS_OPTIONS),
)


# --- detailed monitoring ---------------------------------------------------------------------------
MONITORING_OPTIONS = {
    "allowDetailedMonitoring": option(False, "Allow EC2 detailed (1-minute) monitoring, billed per metric."),
}


def _monitoring(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in (INSTANCE, LAUNCH_TEMPLATE):
        return
    if settings("cost-ec2-detailed-monitoring-off", MONITORING_OPTIONS, args.get_config())["allowDetailedMonitoring"]:
        return
    props = plain(args.props)
    enabled = props.get("monitoring") if args.resource_type == INSTANCE else get(props, "monitoring", "enabled")
    if enabled is True:
        report_violation(
            "Detailed monitoring is on: its 1-minute metrics are billed as custom metrics. "
            "Turn it off, or set allowDetailedMonitoring for this stack."
        )


detailed_monitoring_off = ResourceValidationPolicy(
    name="cost-ec2-detailed-monitoring-off",
    description="EC2 detailed monitoring stays off unless the stack opts in.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_monitoring,
    config_schema=schema(MONITORING_OPTIONS),
)


# --- Elastic IPs -------------------------------------------------------------------------------------
def _eip_attached(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    stack = StackIndex(args.resources)
    associations = stack.of_type("aws:ec2/eipAssociation:EipAssociation")
    nat_gateways = stack.of_type("aws:ec2/natGateway:NatGateway")
    for eip in stack.of_type(EIP):
        # Outputs carry "" for an unset attribute; an unknown value (preview) means it will be set.
        if eip.get("instance") or eip.get("networkInterface"):
            continue
        users = [
            a
            for a in associations
            if eip in stack.referenced(a, "allocationId", a.get("allocationId"), [EIP], keys=("allocationId", "id"))
            or eip in stack.referenced(a, "publicIp", a.get("publicIp"), [EIP], keys=("publicIp",))
        ]
        users += [
            n
            for n in nat_gateways
            if eip in stack.referenced(n, "allocationId", n.get("allocationId"), [EIP], keys=("allocationId", "id"))
        ]
        if not users:
            report_violation(
                f"Elastic IP {eip.name} is attached to nothing: it bills 0.005 USD an hour idle. "
                "Associate it (instance, network interface, EipAssociation, NAT gateway) or remove it.",
                eip.urn,
            )


eip_attached = StackValidationPolicy(
    name="cost-eip-attached",
    description="Every Elastic IP is attached to an instance, a network interface or a NAT gateway.",
    enforcement_level=EnforcementLevel.ADVISORY,
    validate=_eip_attached,
)


# --- GPU idle auto-stop ------------------------------------------------------------------------------
AUTOSTOP_OPTIONS = {
    "gpuInstanceFamilies": option(GPU_FAMILIES, "Instance families that need an idle auto-stop."),
    "idleMetrics": option(
        ["CPUUtilization", "NetworkIn", "NetworkOut", "NetworkPacketsIn", "GPUUtilization"],
        "Metrics an idle alarm may watch.",
    ),
    "maxIdleThresholdPercent": option(20.0, "Highest CPU/GPU utilization threshold that still means idle.", minimum=0),
    "maxIdleMinutes": option(120.0, "Longest idle time (period x evaluation periods) before the stop.", minimum=1),
}


def _problems_with_alarm(alarm: Res, config: Mapping[str, Any]) -> list[str]:
    problems = []
    metric = alarm.get("metricName")
    if metric not in config["idleMetrics"]:
        problems.append(f"watches {metric!r}, not an idle metric ({', '.join(config['idleMetrics'])})")
    if alarm.get("comparisonOperator") not in ("LessThanThreshold", "LessThanOrEqualToThreshold"):
        problems.append("does not fire on a LOW value (comparisonOperator LessThanThreshold)")
    threshold = number(alarm.get("threshold"))
    if (
        metric in ("CPUUtilization", "GPUUtilization")
        and isinstance(threshold, float)
        and threshold > float(config["maxIdleThresholdPercent"])
    ):
        problems.append(f"threshold {threshold:g}% is above {float(config['maxIdleThresholdPercent']):g}%")
    period, periods = number(alarm.get("period")), number(alarm.get("evaluationPeriods"))
    if isinstance(period, float) and isinstance(periods, float):
        minutes = period * periods / 60
        if minutes > float(config["maxIdleMinutes"]):
            problems.append(f"waits {minutes:g} minutes, more than {float(config['maxIdleMinutes']):g}")
    return problems


def _gpu_autostop(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    config = settings("cost-gpu-idle-autostop", AUTOSTOP_OPTIONS, args.get_config())
    stack = StackIndex(args.resources)
    gpu_families = set(config["gpuInstanceFamilies"])
    for instance in stack.of_type(INSTANCE):
        template = launch_template_of(stack, instance)
        instance_type = instance.get("instanceType") or (template.get("instanceType") if template else None)
        if not isinstance(instance_type, str) or family(instance_type) not in gpu_families:
            continue
        stoppers = stopping_alarms(stack, instance)
        if not stoppers:
            report_violation(
                f"GPU instance {instance.name} ({instance_type}) has no idle auto-stop: add a CloudWatch alarm on "
                "its CPUUtilization below a low threshold whose action is arn:aws:automate:<region>:ec2:stop. "
                "An instance left running bills every hour.",
                instance.urn,
            )
            continue
        problems = {alarm.name: _problems_with_alarm(alarm, config) for alarm in stoppers}
        if all(problems.values()):
            details = "; ".join(f"{name} {', '.join(found)}" for name, found in problems.items())
            report_violation(f"GPU instance {instance.name}: no stop alarm detects idleness: {details}.", instance.urn)


gpu_idle_autostop = StackValidationPolicy(
    name="cost-gpu-idle-autostop",
    description="Every GPU instance has an alarm that stops it when idle.",
    enforcement_level=EnforcementLevel.MANDATORY,
    validate=_gpu_autostop,
    config_schema=schema(AUTOSTOP_OPTIONS),
)

POLICIES = [
    instance_type_allowlist,
    ebs_gp3,
    ebs_size_iops_caps,
    detailed_monitoring_off,
    eip_attached,
    gpu_idle_autostop,
]

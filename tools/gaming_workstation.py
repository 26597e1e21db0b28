"""Operate the cloud gaming workstation: start, stop, status, snapshot, launch.

The personal-AMI workflow: play on the stack's instance, `snapshot` it into a personal AMI once the
games are installed, then either set that AMI in the stack config (`pulumi up` replaces the
instance) or `launch` a throw-away instance from the stack's launch template with it.

Ids come from `pulumi stack output --json` (a file, or `-` for stdin) or from flags:

    pulumi stack output --json | python -m tools.gaming_workstation status --stack-outputs -
    python -m tools.gaming_workstation stop --instance-id i-0abc... --region eu-west-1

Exit codes: 0 done, 1 AWS refused or the operation failed, 2 bad input (missing or wrong
instance, unreadable outputs, bad ids).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
import botocore.exceptions
import botocore.loaders
import botocore.session

# The stack export (an object) that GamingWorkstation's wiring publishes, and its keys.
DEFAULT_OUTPUT_NAME = "gaming"
OUTPUT_KEYS = {
    "instance_id": "instanceId",
    "region": "region",
    "launch_template_name": "launchTemplateName",
    "launch_template_id": "launchTemplateId",
}
# Every instance the component creates (and every instance launched from its template) carries
# this tag; it keeps the tool from stopping or imaging some unrelated instance by mistake.
WORKSTATION_TAG = "blueprints:gaming-workstation"
# The stack config key that makes the component launch from a personal AMI.
AMI_CONFIG_KEY = "gamingAmiId"
DATA_DEVICE = "xvdf"  # the stack's data volume (components/gaming.py; a test keeps the two equal)
DCV_PORT = 8443

INSTANCE_ID_RE = re.compile(r"^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
AMI_ID_RE = re.compile(r"^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
LAUNCH_TEMPLATE_ID_RE = re.compile(r"^lt-[0-9a-f]{17}$")
REGION_RE = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+$")
# EC2 image names: 3-128 characters from this set (CreateImage API reference).
AMI_NAME_RE = re.compile(r"^[A-Za-z0-9()\[\] ./\-'@_]{3,128}$")

_GONE_STATES = {"shutting-down", "terminated"}


class UsageError(Exception):
    """Bad input from the user: exit 2."""


class OperationError(Exception):
    """AWS refused or the operation did not finish as asked: exit 1."""


@dataclass(frozen=True)
class Target:
    region: str | None
    instance_id: str | None = None
    launch_template_name: str | None = None
    launch_template_id: str | None = None


# Indirections so tests can run the polling loops without real waiting.
_sleep: Callable[[float], None] = time.sleep
_monotonic: Callable[[], float] = time.monotonic


# --------------------------------------------------------------------------- inputs


def load_stack_outputs(source: str, stdin: TextIO) -> dict[str, Any]:
    """Read `pulumi stack output --json` from a file path, or stdin when `source` is `-`."""
    try:
        if source == "-":
            text = stdin.read()
            where = "stdin"
        else:
            with open(source, encoding="utf-8") as handle:
                text = handle.read()
            where = source
    except OSError as err:
        raise UsageError(f"cannot read stack outputs from {source}: {err.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise UsageError(
            f"stack outputs in {where} are not JSON ({err.msg} at line {err.lineno}); "
            "produce them with `pulumi stack output --json`"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"stack outputs in {where} must be a JSON object, got {type(data).__name__}")
    return data


def _workstation_outputs(outputs: dict[str, Any], output_name: str) -> dict[str, Any]:
    section = outputs.get(output_name)
    if section is None:
        names = ", ".join(sorted(outputs)) or "none"
        raise UsageError(
            f"the stack outputs have no '{output_name}' export (exports present: {names}); "
            "is the gaming workstation enabled in this stack?"
        )
    if not isinstance(section, dict):
        raise UsageError(f"the '{output_name}' stack export must be an object, got {type(section).__name__}")
    return section


def resolve_target(args: argparse.Namespace, stdin: TextIO) -> Target:
    """Combine flags and stack outputs; flags win."""
    from_outputs: dict[str, Any] = {}
    if args.stack_outputs:
        section = _workstation_outputs(load_stack_outputs(args.stack_outputs, stdin), args.output_name)
        from_outputs = {field: section.get(key) for field, key in OUTPUT_KEYS.items()}

    def pick(field: str) -> str | None:
        value = getattr(args, field, None) or from_outputs.get(field)
        return str(value) if value else None

    target = Target(
        region=pick("region"),
        instance_id=pick("instance_id"),
        launch_template_name=pick("launch_template_name"),
        launch_template_id=pick("launch_template_id"),
    )
    if target.region and not REGION_RE.match(target.region):
        raise UsageError(f"'{target.region}' is not an AWS Region name (expected e.g. eu-west-1)")
    if target.instance_id and not INSTANCE_ID_RE.match(target.instance_id):
        raise UsageError(
            f"'{target.instance_id}' is not an EC2 instance id (expected i- followed by 8 or 17 hex digits)"
        )
    if target.launch_template_id and not LAUNCH_TEMPLATE_ID_RE.match(target.launch_template_id):
        raise UsageError(f"'{target.launch_template_id}' is not a launch template id (expected lt-…)")
    return target


def _require_instance(target: Target) -> str:
    if not target.instance_id:
        raise UsageError(
            "no instance id: pass --instance-id, or --stack-outputs with the stack's `pulumi stack output --json`"
        )
    return target.instance_id


# --------------------------------------------------------------------------- EC2 helpers


def _client_error(err: botocore.exceptions.ClientError) -> tuple[str, str]:
    error = err.response.get("Error", {})
    return error.get("Code", "Unknown"), error.get("Message", str(err))


def _region_of(ec2: Any) -> str:
    return ec2.meta.region_name


def describe_workstation(ec2: Any, instance_id: str, *, force: bool = False) -> dict[str, Any]:
    """The instance, after checking that it exists, is alive and is a gaming workstation."""
    try:
        reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except botocore.exceptions.ClientError as err:
        code, _ = _client_error(err)
        if code in ("InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed"):
            raise UsageError(
                f"instance {instance_id} does not exist in {_region_of(ec2)}; check --region, "
                "or whether the stack was destroyed or the instance replaced (re-read the stack outputs)"
            ) from None
        raise
    instances = [i for r in reservations for i in r.get("Instances", [])]
    if not instances:
        raise UsageError(f"instance {instance_id} does not exist in {_region_of(ec2)}")
    instance = instances[0]
    state = instance["State"]["Name"]
    if state in _GONE_STATES:
        raise UsageError(
            f"instance {instance_id} is {state}; it cannot be used any more. Run `pulumi up` to "
            "recreate the workstation, or `launch` one from your AMI"
        )
    tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
    if WORKSTATION_TAG not in tags and not force:
        name = tags.get("Name", "no Name tag")
        raise UsageError(
            f"instance {instance_id} ({name}) is not a gaming workstation: it lacks the "
            f"'{WORKSTATION_TAG}' tag. Check the id, or pass --force if you really mean this instance"
        )
    return instance


def _state(ec2: Any, instance_id: str) -> dict[str, Any]:
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return reservations[0]["Instances"][0]


def _wait(ec2: Any, waiter_name: str, instance_id: str, timeout: float) -> None:
    delay = 5
    waiter = ec2.get_waiter(waiter_name)
    try:
        waiter.wait(
            InstanceIds=[instance_id],
            WaiterConfig={"Delay": delay, "MaxAttempts": max(1, int(timeout // delay))},
        )
    except botocore.exceptions.WaiterError as err:
        raise OperationError(
            f"gave up waiting for {instance_id} ({waiter_name}): {err.last_response.get('Error', err)}"
        ) from None


def dcv_url(address: str | None) -> str | None:
    return f"https://{address}:{DCV_PORT}" if address else None


def summarize(instance: dict[str, Any]) -> dict[str, Any]:
    tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
    address = instance.get("PublicIpAddress")
    launched = instance.get("LaunchTime")
    return {
        "instanceId": instance["InstanceId"],
        "name": tags.get("Name"),
        "state": instance["State"]["Name"],
        "instanceType": instance.get("InstanceType"),
        "lifecycle": instance.get("InstanceLifecycle", "on-demand"),
        "imageId": instance.get("ImageId"),
        "publicIp": address,
        "dcvUrl": dcv_url(address),
        "launchTime": launched.isoformat() if isinstance(launched, datetime) else launched,
    }


def _print_summary(summary: dict[str, Any], out: TextIO, as_json: bool) -> None:
    if as_json:
        out.write(json.dumps(summary, indent=2, sort_keys=True) + "\n")
        return
    labels = [
        ("instance", "instanceId"),
        ("name", "name"),
        ("state", "state"),
        ("type", "instanceType"),
        ("lifecycle", "lifecycle"),
        ("image", "imageId"),
        ("public ip", "publicIp"),
        ("dcv url", "dcvUrl"),
        ("launched", "launchTime"),
    ]
    for label, key in labels:
        value = summary.get(key)
        out.write(f"{label:<10} {value if value is not None else '-'}\n")


# --------------------------------------------------------------------------- commands


def cmd_status(ec2: Any, target: Target, args: argparse.Namespace, out: TextIO) -> int:
    instance = describe_workstation(ec2, _require_instance(target), force=args.force)
    _print_summary(summarize(instance), out, args.json)
    return 0


def cmd_start(ec2: Any, target: Target, args: argparse.Namespace, out: TextIO) -> int:
    instance_id = _require_instance(target)
    instance = describe_workstation(ec2, instance_id, force=args.force)
    state = instance["State"]["Name"]
    if state == "stopping":
        if not args.wait:
            raise UsageError(f"instance {instance_id} is still stopping; start it once it is stopped")
        out.write(f"{instance_id} is stopping; waiting until it has stopped before starting it\n")
        _wait(ec2, "instance_stopped", instance_id, args.timeout)
        state = "stopped"
    if state == "stopped":
        ec2.start_instances(InstanceIds=[instance_id])
        out.write(f"starting {instance_id}\n")
    else:
        out.write(f"{instance_id} is already {state}\n")
    if args.wait:
        _wait(ec2, "instance_running", instance_id, args.timeout)
        summary = summarize(_state(ec2, instance_id))
        _print_summary(summary, out, args.json)
        if not args.json and not has_elastic_ip(ec2, instance_id):
            out.write(new_address_note(summary))
    elif not has_elastic_ip(ec2, instance_id):
        out.write("no Elastic IP: the instance gets a new public address once running; `status` prints it\n")
    return 0


def has_elastic_ip(ec2: Any, instance_id: str) -> bool:
    """Whether an Elastic IP is associated with the instance (its address survives stop/start)."""
    addresses = ec2.describe_addresses(Filters=[{"Name": "instance-id", "Values": [instance_id]}])["Addresses"]
    return bool(addresses)


def new_address_note(summary: dict[str, Any]) -> str:
    # Without an Elastic IP, a stopped instance releases its public IPv4 address and gets a new
    # one when started (EC2 user guide, "Amazon EC2 instance IP addressing": "We release your
    # instance's public IP address when it is stopped"), so the stack's dcvUrl output is stale.
    return (
        f"no Elastic IP: the public address is new at every start; connect to "
        f"{summary['dcvUrl'] or 'the address above'} (the stack output dcvUrl is stale until the "
        f"next `pulumi refresh`)\n"
    )


def cmd_stop(ec2: Any, target: Target, args: argparse.Namespace, out: TextIO) -> int:
    instance_id = _require_instance(target)
    instance = describe_workstation(ec2, instance_id, force=args.force)
    state = instance["State"]["Name"]
    if state == "pending":
        if not args.wait:
            raise UsageError(f"instance {instance_id} is still starting; stop it once it is running")
        _wait(ec2, "instance_running", instance_id, args.timeout)
        state = "running"
    if state == "running":
        ec2.stop_instances(InstanceIds=[instance_id])
        out.write(f"stopping {instance_id} (the root volume is kept; you pay for storage only)\n")
    else:
        out.write(f"{instance_id} is already {state}\n")
    if args.wait:
        _wait(ec2, "instance_stopped", instance_id, args.timeout)
        out.write(f"{instance_id} is stopped\n")
    return 0


def default_image_name(instance_id: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"gaming-{instance_id}-{stamp}"


def wait_for_image(ec2: Any, image_id: str, *, timeout: float, poll_interval: float, out: TextIO) -> dict[str, Any]:
    """Poll until the AMI is available; fail fast if EC2 marks it failed."""
    deadline = _monotonic() + timeout
    last_state = None
    while True:
        images = ec2.describe_images(ImageIds=[image_id])["Images"]
        if images:
            image = images[0]
            state = image["State"]
            if state != last_state:
                out.write(f"{image_id}: {state}\n")
                last_state = state
            if state == "available":
                return image
            if state not in ("pending", "transient"):
                reason = image.get("StateReason", {}).get("Message", "no reason given")
                raise OperationError(f"image {image_id} ended in state '{state}': {reason}")
        if _monotonic() >= deadline:
            raise OperationError(
                f"image {image_id} is still {last_state or 'not visible'} after {timeout:.0f} s; "
                f"it keeps being built: check later with `status`/`aws ec2 describe-images --image-ids {image_id}`"
            )
        _sleep(poll_interval)


def cmd_snapshot(ec2: Any, target: Target, args: argparse.Namespace, out: TextIO) -> int:
    instance_id = _require_instance(target)
    instance = describe_workstation(ec2, instance_id, force=args.force)
    name = args.name or default_image_name(instance_id)
    if instance["State"]["Name"] == "running" and not args.no_reboot:
        out.write(f"{instance_id} is running: EC2 reboots it so the image is consistent (--no-reboot to skip)\n")
    # EC2 refuses a duplicate name only after the reboot it asked for; check first.
    if ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": [name]}])["Images"]:
        raise UsageError(f"an AMI named '{name}' already exists; choose another --name")
    tags = [
        {"Key": "Name", "Value": name},
        {"Key": WORKSTATION_TAG, "Value": instance_id},
    ]
    try:
        image_id = ec2.create_image(
            InstanceId=instance_id,
            Name=name,
            Description=f"Personal gaming AMI from {instance_id}",
            NoReboot=args.no_reboot,
            # The games stay on the stack's data volume (xvdf), which the stack re-attaches to an
            # instance launched from this AMI: leave it out of the image (NoDevice, CreateImage API
            # reference), or the new instance would hold a copy at the same device name.
            BlockDeviceMappings=[{"DeviceName": DATA_DEVICE, "NoDevice": ""}],
            TagSpecifications=[{"ResourceType": "image", "Tags": tags}],
        )["ImageId"]
    except botocore.exceptions.ClientError as err:
        code, _message = _client_error(err)
        if code == "InvalidAMIName.Duplicate":
            raise UsageError(f"an AMI named '{name}' already exists; choose another --name") from None
        raise
    out.write(f"creating image {image_id} ({name}) from {instance_id}\n")
    image = wait_for_image(ec2, image_id, timeout=args.timeout, poll_interval=args.poll_interval, out=out)
    snapshot_ids = [
        m["Ebs"]["SnapshotId"] for m in image.get("BlockDeviceMappings", []) if m.get("Ebs", {}).get("SnapshotId")
    ]
    if snapshot_ids:
        # Tagged once they exist, so the snapshots can be traced back to the workstation too.
        ec2.create_tags(Resources=snapshot_ids, Tags=tags)
    snapshot_id = snapshot_ids[0] if snapshot_ids else "-"
    out.write(
        f"\nAMI {image_id} is available (snapshot {snapshot_id}).\n"
        "Make the stack launch from it:\n"
        f"  pulumi config set {AMI_CONFIG_KEY} {image_id}\n"
        "  pulumi up\n"
        "or start a separate instance from the launch template now:\n"
        f"  python -m tools.gaming_workstation launch --ami-id {image_id} --stack-outputs <outputs.json>\n"
    )
    return 0


def _check_image(ec2: Any, ami_id: str) -> dict[str, Any]:
    try:
        images = ec2.describe_images(ImageIds=[ami_id])["Images"]
    except botocore.exceptions.ClientError as err:
        code, _ = _client_error(err)
        if code.startswith("InvalidAMIID"):
            raise UsageError(f"AMI {ami_id} does not exist in {_region_of(ec2)} (or is not shared with you)") from None
        raise
    if not images:
        raise UsageError(f"AMI {ami_id} does not exist in {_region_of(ec2)}")
    image = images[0]
    if image["State"] != "available":
        raise UsageError(f"AMI {ami_id} is {image['State']}, not available yet; wait for it (snapshot waits for you)")
    return image


def _launch_template(target: Target) -> tuple[dict[str, str], str]:
    # $Default: the component keeps the default version pointing at its newest template.
    if target.launch_template_id:
        return {"LaunchTemplateId": target.launch_template_id, "Version": "$Default"}, target.launch_template_id
    if target.launch_template_name:
        return {"LaunchTemplateName": target.launch_template_name, "Version": "$Default"}, target.launch_template_name
    raise UsageError("no launch template: pass --launch-template-name/--launch-template-id, or --stack-outputs")


def check_inputs(args: argparse.Namespace, target: Target) -> None:
    """Everything that can be rejected without calling AWS."""
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    if args.command == "launch":
        if not AMI_ID_RE.match(args.ami_id):
            raise UsageError(f"'{args.ami_id}' is not an AMI id (expected ami- followed by 8 or 17 hex digits)")
        _launch_template(target)
    else:
        _require_instance(target)
    if args.command == "snapshot":
        if args.name is not None and not AMI_NAME_RE.match(args.name):
            raise UsageError(
                f"'{args.name}' is not a valid AMI name: 3-128 characters, letters, digits and ( ) [ ] . / - ' @ _ space"
            )
        if args.poll_interval <= 0:
            raise UsageError("--poll-interval must be positive")


def cmd_launch(ec2: Any, target: Target, args: argparse.Namespace, out: TextIO) -> int:
    template, template_label = _launch_template(target)
    _check_image(ec2, args.ami_id)
    try:
        instance = ec2.run_instances(ImageId=args.ami_id, LaunchTemplate=template, MinCount=1, MaxCount=1)["Instances"][
            0
        ]
    except botocore.exceptions.ClientError as err:
        code, message = _client_error(err)
        if code.startswith("InvalidLaunchTemplate"):
            raise UsageError(
                f"launch template {template_label} does not exist in {_region_of(ec2)}: {message}"
            ) from None
        raise
    instance_id = instance["InstanceId"]
    out.write(f"launched {instance_id} from {args.ami_id} with launch template {template_label}\n")
    if args.wait:
        _wait(ec2, "instance_running", instance_id, args.timeout)
        instance = _state(ec2, instance_id)
    _print_summary(summarize(instance), out, args.json)
    out.write(
        "This instance is outside the Pulumi stack: stop it with "
        f"`python -m tools.gaming_workstation stop --instance-id {instance_id} --region {_region_of(ec2)}` and terminate it when done.\n"
    )
    return 0


COMMANDS: dict[str, Callable[[Any, Target, argparse.Namespace, TextIO], int]] = {
    "status": cmd_status,
    "start": cmd_start,
    "stop": cmd_stop,
    "snapshot": cmd_snapshot,
    "launch": cmd_launch,
}


# --------------------------------------------------------------------------- CLI


def build_parser() -> argparse.ArgumentParser:
    # Options live on every sub-command (after its name), from one parent parser.
    common = argparse.ArgumentParser(add_help=False)
    source = common.add_argument_group("where the ids come from (flags override stack outputs)")
    source.add_argument(
        "--stack-outputs", metavar="FILE", help="`pulumi stack output --json` saved to FILE, or - for stdin"
    )
    source.add_argument(
        "--output-name",
        default=DEFAULT_OUTPUT_NAME,
        help="stack export holding the workstation ids (default: %(default)s)",
    )
    source.add_argument("--region", help="AWS Region (default: from the outputs, then the AWS config)")
    source.add_argument("--instance-id", help="the workstation instance id")
    source.add_argument("--launch-template-name", help="launch template name (for launch)")
    source.add_argument("--launch-template-id", help="launch template id (for launch)")
    common.add_argument("--force", action="store_true", help=f"act on an instance without the {WORKSTATION_TAG} tag")
    common.add_argument("--json", action="store_true", help="print instance details as JSON")
    common.add_argument("--timeout", type=float, default=1800, help="seconds to wait for EC2 (default: %(default)s)")

    parser = argparse.ArgumentParser(
        prog="python -m tools.gaming_workstation",
        description="Start, stop, inspect and image the gaming workstation (personal-AMI workflow).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("status", parents=[common], help="show state, address and DCV URL")
    for verb in ("start", "stop"):
        sub = commands.add_parser(verb, parents=[common], help=f"{verb} the instance and wait for it")
        sub.add_argument("--no-wait", dest="wait", action="store_false", help="return without waiting")
    snap = commands.add_parser(
        "snapshot", parents=[common], help="create a personal AMI and wait until it is available"
    )
    snap.add_argument("--name", help="AMI name (default: gaming-<instance>-<UTC time>)")
    snap.add_argument(
        "--no-reboot", action="store_true", help="do not reboot a running instance (image may be inconsistent)"
    )
    snap.add_argument("--poll-interval", type=float, default=15, help="seconds between checks (default: %(default)s)")
    launch = commands.add_parser(
        "launch", parents=[common], help="run a new instance from the launch template with an AMI"
    )
    launch.add_argument("--ami-id", required=True, help="the personal AMI id (from snapshot)")
    launch.add_argument("--no-wait", dest="wait", action="store_false", help="return without waiting")
    return parser


# Shared by every session this process makes: parsing the EC2 service model costs about half a
# second, and main() may run many times in one process (tests, scripts importing it).
_LOADER = botocore.loaders.create_loader()


def _make_client(region: str | None) -> Any:
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    session = boto3.session.Session(botocore_session=core, region_name=region)
    if not session.region_name:
        raise UsageError("no AWS Region: pass --region, --stack-outputs, or set AWS_REGION")
    return session.client("ec2")


def main(
    argv: list[str] | None = None,
    *,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        target = resolve_target(args, stdin)
        check_inputs(args, target)
        ec2 = _make_client(target.region)
        return COMMANDS[args.command](ec2, target, args, stdout)
    except UsageError as err:
        stderr.write(f"error: {err}\n")
        return 2
    except OperationError as err:
        stderr.write(f"error: {err}\n")
        return 1
    except botocore.exceptions.NoCredentialsError:
        stderr.write("error: no AWS credentials found (configure a profile or AWS_* variables)\n")
        return 2
    except botocore.exceptions.ClientError as err:
        code, message = _client_error(err)
        stderr.write(f"error: AWS refused the request: {code}: {message}\n")
        return 1
    except botocore.exceptions.BotoCoreError as err:
        stderr.write(f"error: {err}\n")
        return 1


if __name__ == "__main__":
    sys.exit(main())

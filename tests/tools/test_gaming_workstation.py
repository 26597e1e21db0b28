"""The gaming workstation CLI against moto: the personal-AMI workflow and its error paths."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from moto import mock_aws

from tools import gaming_workstation as gw

REGION = "eu-west-1"
TEMPLATE_NAME = "gaming-workstation-g4dn.xlarge"


@pytest.fixture
def aws_env(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def stack(aws_env, tmp_path, monkeypatch):
    """A workstation as the stack leaves it: launch template + tagged instance + stack outputs."""
    # moto's catalogue of ~1,300 public AMIs costs a second per test; one registered image will do.
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    with mock_aws():
        ec2 = gw._make_client(REGION)  # shares the tool's parsed EC2 model: a fresh one costs ~0.5 s
        base_ami = ec2.register_image(Name="Windows_Server-2019-English-Full-Base-test", RootDeviceName="/dev/sda1")[
            "ImageId"
        ]
        template = ec2.create_launch_template(
            LaunchTemplateName=TEMPLATE_NAME,
            LaunchTemplateData={
                "ImageId": base_ami,
                "InstanceType": "g4dn.xlarge",
                "TagSpecifications": [
                    {"ResourceType": "instance", "Tags": [{"Key": gw.WORKSTATION_TAG, "Value": "workstation"}]}
                ],
            },
        )["LaunchTemplate"]
        instance = ec2.run_instances(LaunchTemplate={"LaunchTemplateName": TEMPLATE_NAME}, MinCount=1, MaxCount=1)[
            "Instances"
        ][0]
        outputs = {
            "gaming": {
                "instanceId": instance["InstanceId"],
                "region": REGION,
                "launchTemplateName": TEMPLATE_NAME,
                "launchTemplateId": template["LaunchTemplateId"],
                "dcvUrl": "https://203.0.113.7:8443",
            },
            "otherArchitecture": {"something": "else"},
        }
        outputs_file = tmp_path / "outputs.json"
        outputs_file.write_text(json.dumps(outputs))
        yield {
            "ec2": ec2,
            "instance_id": instance["InstanceId"],
            "template_id": template["LaunchTemplateId"],
            "base_ami": base_ami,
            "outputs_file": str(outputs_file),
            "outputs": outputs,
        }


def run(*argv, stdin_text=""):
    out, err = io.StringIO(), io.StringIO()
    code = gw.main(list(argv), stdin=io.StringIO(stdin_text), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def personal_images(ec2):
    return ec2.describe_images(Owners=["self"], Filters=[{"Name": "tag-key", "Values": [gw.WORKSTATION_TAG]}])["Images"]


def state_of(ec2, instance_id):
    return ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["State"]["Name"]


# --------------------------------------------------------------------------- happy paths


def test_status_reads_ids_from_the_outputs_file(stack):
    code, out, err = run("status", "--stack-outputs", stack["outputs_file"])
    assert (code, err) == (0, "")
    address = stack["ec2"].describe_instances(InstanceIds=[stack["instance_id"]])["Reservations"][0]["Instances"][0][
        "PublicIpAddress"
    ]
    assert f"instance   {stack['instance_id']}" in out
    assert "type       g4dn.xlarge" in out
    assert f"dcv url    https://{address}:8443" in out


def test_status_reads_outputs_from_stdin_and_prints_json(stack):
    piped = json.dumps(stack["outputs"])
    code, out, err = run("status", "--stack-outputs", "-", "--json", stdin_text=piped)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["instanceId"] == stack["instance_id"]
    assert summary["state"] in ("pending", "running")
    assert summary["dcvUrl"] == f"https://{summary['publicIp']}:8443"
    assert summary["lifecycle"] == "on-demand"


def test_stop_then_start_round_trip(stack):
    ec2, instance_id = stack["ec2"], stack["instance_id"]
    code, out, err = run("stop", "--stack-outputs", stack["outputs_file"])
    assert code == 0, err
    assert f"stopping {instance_id}" in out
    assert f"{instance_id} is stopped" in out
    assert state_of(ec2, instance_id) == "stopped"

    code, out, _ = run("stop", "--stack-outputs", stack["outputs_file"])
    assert code == 0
    assert f"{instance_id} is already stopped" in out

    code, out, err = run("start", "--stack-outputs", stack["outputs_file"])
    assert code == 0, err
    assert f"starting {instance_id}" in out
    assert state_of(ec2, instance_id) == "running"
    assert "dcv url    https://" in out


def test_flags_override_the_outputs_file(stack):
    other = stack["ec2"].run_instances(LaunchTemplate={"LaunchTemplateName": TEMPLATE_NAME}, MinCount=1, MaxCount=1)[
        "Instances"
    ][0]["InstanceId"]
    code, _out, err = run("stop", "--no-wait", "--stack-outputs", stack["outputs_file"], "--instance-id", other)
    assert code == 0, err
    assert state_of(stack["ec2"], other) in ("stopping", "stopped")
    assert state_of(stack["ec2"], stack["instance_id"]) == "running"


def test_snapshot_creates_a_tagged_ami_and_says_which_config_to_set(stack):
    ec2 = stack["ec2"]
    code, out, err = run(
        "snapshot", "--stack-outputs", stack["outputs_file"], "--name", "my-games-2026", "--poll-interval", "0.01"
    )
    assert code == 0, err
    images = ec2.describe_images(Owners=["self"], Filters=[{"Name": "name", "Values": ["my-games-2026"]}])["Images"]
    assert len(images) == 1
    image = images[0]
    assert image["State"] == "available"
    assert {"Key": gw.WORKSTATION_TAG, "Value": stack["instance_id"]} in image["Tags"]
    assert f"AMI {image['ImageId']} is available" in out
    assert f"pulumi config set gamingAmiId {image['ImageId']}" in out
    assert "reboots it" in out  # a running instance is rebooted for a consistent image


def test_snapshot_leaves_the_data_volume_out_of_the_image(stack, monkeypatch):
    """CreateImage copies every attached EBS volume unless a mapping says NoDevice (EC2 API reference,
    CreateImage BlockDeviceMapping). The stack re-attaches its data volume at xvdf to an instance
    launched from the AMI, so the image must not hold a copy there."""
    sent = []
    make_client = gw._make_client

    def recording_client(region):
        client = make_client(region)
        client.meta.events.register("provide-client-params.ec2.CreateImage", lambda params, **_: sent.append(params))
        return client

    monkeypatch.setattr(gw, "_make_client", recording_client)
    code, _, err = run(
        "snapshot", "--stack-outputs", stack["outputs_file"], "--name", "no-data", "--poll-interval", "0.01"
    )
    assert code == 0, err
    (params,) = sent
    assert params["BlockDeviceMappings"] == [{"DeviceName": gw.DATA_DEVICE, "NoDevice": ""}]


def test_snapshot_default_name_is_valid_and_names_the_instance(stack):
    code, out, err = run("snapshot", "--instance-id", stack["instance_id"], "--region", REGION, "--no-reboot")
    assert code == 0, err
    images = personal_images(stack["ec2"])
    assert len(images) == 1
    assert images[0]["Name"].startswith(f"gaming-{stack['instance_id']}-")
    assert gw.AMI_NAME_RE.match(images[0]["Name"])
    assert "reboots it" not in out


def test_launch_runs_the_launch_template_with_the_personal_ami(stack):
    ec2 = stack["ec2"]
    ami = ec2.create_image(InstanceId=stack["instance_id"], Name="personal-gaming")["ImageId"]
    code, out, err = run("launch", "--stack-outputs", stack["outputs_file"], "--ami-id", ami)
    assert code == 0, err
    new_id = out.split()[1]
    assert new_id != stack["instance_id"]
    launched = ec2.describe_instances(InstanceIds=[new_id])["Reservations"][0]["Instances"][0]
    assert launched["ImageId"] == ami
    assert launched["InstanceType"] == "g4dn.xlarge"  # from the template
    tags = {t["Key"]: t["Value"] for t in launched["Tags"]}
    assert tags["aws:ec2launchtemplate:id"] == stack["template_id"]
    assert gw.WORKSTATION_TAG in tags  # so start/stop/snapshot accept it
    assert f"stop --instance-id {new_id} --region {REGION}" in out


def test_launch_by_template_name_flag(stack):
    ami = stack["ec2"].create_image(InstanceId=stack["instance_id"], Name="personal-gaming")["ImageId"]
    code, _, err = run(
        "launch", "--region", REGION, "--launch-template-name", TEMPLATE_NAME, "--ami-id", ami, "--no-wait"
    )
    assert code == 0, err


# --------------------------------------------------------------------------- image polling


class ImageStates:
    """Wraps the moto client so describe_images walks through the given states."""

    def __init__(self, ec2, states, reason="Snapshot failed"):
        self._ec2, self._states, self._reason = ec2, list(states), reason
        self.meta = ec2.meta
        self.polls = 0

    def __getattr__(self, name):
        return getattr(self._ec2, name)

    def describe_images(self, **kwargs):
        response = self._ec2.describe_images(**kwargs)
        if "ImageIds" not in kwargs:  # the duplicate-name check, not a poll
            return response
        state = self._states[min(self.polls, len(self._states) - 1)]
        self.polls += 1
        for image in response["Images"]:
            image["State"] = state
            if state == "failed":
                image["StateReason"] = {"Code": "Client.SnapshotError", "Message": self._reason}
        return response


@pytest.fixture
def fake_clock(monkeypatch):
    clock = {"now": 0.0, "sleeps": []}

    def sleep(seconds):
        clock["sleeps"].append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(gw, "_sleep", sleep)
    monkeypatch.setattr(gw, "_monotonic", lambda: clock["now"])
    return clock


def use_client(monkeypatch, client):
    monkeypatch.setattr(gw, "_make_client", lambda region: client)


def test_snapshot_waits_while_the_image_is_pending(stack, monkeypatch, fake_clock):
    client = ImageStates(stack["ec2"], ["pending", "pending", "pending", "available"])
    use_client(monkeypatch, client)
    code, out, err = run("snapshot", "--stack-outputs", stack["outputs_file"], "--poll-interval", "15")
    assert code == 0, err
    assert client.polls == 4
    assert fake_clock["sleeps"] == [15, 15, 15]
    assert out.count(": pending") == 1 and ": available" in out  # each state change printed once


def test_snapshot_reports_a_failed_image(stack, monkeypatch, fake_clock):
    use_client(monkeypatch, ImageStates(stack["ec2"], ["pending", "failed"], reason="volume busy"))
    code, out, err = run("snapshot", "--stack-outputs", stack["outputs_file"])
    assert code == 1
    assert "ended in state 'failed': volume busy" in err
    assert "pulumi config set" not in out


def test_snapshot_gives_up_after_the_timeout_and_names_the_ami(stack, monkeypatch, fake_clock):
    use_client(monkeypatch, ImageStates(stack["ec2"], ["pending"]))
    code, out, err = run(
        "snapshot", "--stack-outputs", stack["outputs_file"], "--timeout", "60", "--poll-interval", "20"
    )
    assert code == 1
    image_id = re.search(r"creating image (ami-[0-9a-f]+)", out).group(1)
    assert f"image {image_id} is still pending after 60 s" in err
    assert fake_clock["now"] >= 60


# --------------------------------------------------------------------------- error paths


def assert_clean_usage_error(code, out, err, *fragments):
    assert code == 2
    assert err.startswith("error: ")
    assert "Traceback" not in err + out
    for fragment in fragments:
        assert fragment in err


def test_instance_that_does_not_exist(stack):
    code, out, err = run("status", "--instance-id", "i-0123456789abcdef0", "--region", REGION)
    assert_clean_usage_error(code, out, err, "instance i-0123456789abcdef0 does not exist in eu-west-1")


def test_instance_from_another_region_is_reported_as_missing_there(stack):
    code, out, err = run("stop", "--instance-id", stack["instance_id"], "--region", "us-east-1")
    assert_clean_usage_error(code, out, err, "does not exist in us-east-1", "check --region")


def test_malformed_instance_id_is_refused_before_calling_aws(aws_env):
    code, out, err = run("status", "--instance-id", "my-gaming-box", "--region", REGION)
    assert_clean_usage_error(code, out, err, "'my-gaming-box' is not an EC2 instance id")


def test_instance_that_is_not_a_workstation_is_not_touched(stack):
    ec2 = stack["ec2"]
    stranger = ec2.run_instances(
        ImageId=stack["base_ami"],
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "build-server"}]}],
    )["Instances"][0]["InstanceId"]
    code, out, err = run("stop", "--instance-id", stranger, "--region", REGION)
    assert_clean_usage_error(code, out, err, "(build-server) is not a gaming workstation", "--force")
    assert state_of(ec2, stranger) == "running"

    code, _, err = run("stop", "--instance-id", stranger, "--region", REGION, "--force")
    assert code == 0, err
    assert state_of(ec2, stranger) == "stopped"


def test_terminated_instance_is_not_started(stack):
    ec2, instance_id = stack["ec2"], stack["instance_id"]
    ec2.terminate_instances(InstanceIds=[instance_id])
    code, out, err = run("start", "--stack-outputs", stack["outputs_file"])
    assert_clean_usage_error(code, out, err, f"instance {instance_id} is terminated", "pulumi up")
    assert state_of(ec2, instance_id) == "terminated"


def test_terminated_instance_is_not_imaged(stack):
    stack["ec2"].terminate_instances(InstanceIds=[stack["instance_id"]])
    code, out, err = run("snapshot", "--stack-outputs", stack["outputs_file"])
    assert_clean_usage_error(code, out, err, "is terminated")
    assert personal_images(stack["ec2"]) == []


def test_duplicate_ami_name(stack):
    assert run("snapshot", "--stack-outputs", stack["outputs_file"], "--name", "my-games")[0] == 0
    code, out, err = run("snapshot", "--stack-outputs", stack["outputs_file"], "--name", "my-games")
    assert_clean_usage_error(code, out, err, "an AMI named 'my-games' already exists")


@pytest.mark.parametrize("name", ["ab", "games!", "x" * 129])
def test_invalid_ami_name(stack, name):
    code, out, err = run("snapshot", "--stack-outputs", stack["outputs_file"], "--name", name)
    assert_clean_usage_error(code, out, err, f"'{name}' is not a valid AMI name")
    assert personal_images(stack["ec2"]) == []


def test_launch_with_an_ami_that_does_not_exist(stack):
    code, out, err = run("launch", "--stack-outputs", stack["outputs_file"], "--ami-id", "ami-0123456789abcdef0")
    assert_clean_usage_error(code, out, err, "AMI ami-0123456789abcdef0 does not exist in eu-west-1")


def test_launch_with_a_malformed_ami_id(stack):
    code, out, err = run("launch", "--stack-outputs", stack["outputs_file"], "--ami-id", "my-ami")
    assert_clean_usage_error(code, out, err, "'my-ami' is not an AMI id")


def test_launch_with_a_template_that_does_not_exist(stack):
    ami = stack["ec2"].create_image(InstanceId=stack["instance_id"], Name="personal-gaming")["ImageId"]
    code, out, err = run("launch", "--region", REGION, "--launch-template-name", "nope", "--ami-id", ami)
    assert_clean_usage_error(code, out, err, "launch template nope does not exist in eu-west-1")


def test_launch_without_a_template(stack):
    code, out, err = run("launch", "--region", REGION, "--ami-id", "ami-0123456789abcdef0")
    assert_clean_usage_error(code, out, err, "no launch template")


def test_no_instance_id_anywhere(aws_env):
    code, out, err = run("start", "--region", REGION)
    assert_clean_usage_error(code, out, err, "no instance id", "--stack-outputs")


def test_outputs_file_missing(aws_env, tmp_path):
    code, out, err = run("status", "--stack-outputs", str(tmp_path / "absent.json"))
    assert_clean_usage_error(code, out, err, "cannot read stack outputs")


def test_outputs_not_json(aws_env, tmp_path):
    bad = tmp_path / "outputs.json"
    bad.write_text("Current stack outputs (3):\n    OUTPUT  VALUE\n")
    code, out, err = run("status", "--stack-outputs", str(bad))
    assert_clean_usage_error(code, out, err, "are not JSON", "pulumi stack output --json")


def test_outputs_without_the_workstation_export(aws_env):
    code, out, err = run("status", "--stack-outputs", "-", stdin_text=json.dumps({"leasing": {}, "api": {}}))
    assert_clean_usage_error(code, out, err, "no 'gaming' export (exports present: api, leasing)")


def test_no_region_anywhere(aws_env):
    code, out, err = run("status", "--instance-id", "i-0123456789abcdef0")
    assert_clean_usage_error(code, out, err, "no AWS Region")


def test_bad_region(aws_env):
    code, out, err = run("status", "--instance-id", "i-0123456789abcdef0", "--region", "Ireland")
    assert_clean_usage_error(code, out, err, "'Ireland' is not an AWS Region name")


def test_no_credentials(aws_env, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, out, err = run("status", "--instance-id", "i-0123456789abcdef0", "--region", REGION)
    assert_clean_usage_error(code, out, err, "no AWS credentials")


def test_module_entry_point_exits_2_without_traceback(aws_env):
    project_root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "tools.gaming_workstation", "stop", "--instance-id", "bogus", "--region", REGION],
        cwd=project_root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: 'bogus' is not an EC2 instance id")
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- public address after a start


def test_start_without_an_elastic_ip_prints_the_new_public_address(stack):
    ec2, instance_id = stack["ec2"], stack["instance_id"]
    assert run("stop", "--stack-outputs", stack["outputs_file"])[0] == 0

    code, out, err = run("start", "--stack-outputs", stack["outputs_file"])

    assert code == 0, err
    address = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]["PublicIpAddress"]
    assert f"no Elastic IP: the public address is new at every start; connect to https://{address}:8443" in out


def test_start_with_an_elastic_ip_says_nothing_about_a_new_address(stack):
    ec2, instance_id = stack["ec2"], stack["instance_id"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    ec2.associate_address(AllocationId=allocation, InstanceId=instance_id)
    assert run("stop", "--stack-outputs", stack["outputs_file"])[0] == 0

    code, out, err = run("start", "--stack-outputs", stack["outputs_file"])

    assert code == 0, err
    assert "no Elastic IP" not in out


def test_start_without_waiting_says_where_to_find_the_new_address(stack):
    assert run("stop", "--stack-outputs", stack["outputs_file"])[0] == 0
    code, out, err = run("start", "--stack-outputs", stack["outputs_file"], "--no-wait")
    assert code == 0, err
    assert "`status` prints it" in out

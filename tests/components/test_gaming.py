"""GamingWorkstation under the fake AWS: network, access, image, launch template, instance, alarms."""

import base64
import json
from pathlib import Path

import pulumi_aws as aws
import pytest

from components.gaming import WORKSTATION_TAG, GamingWorkstation, GamingWorkstationArgs
from components.gaming_user_data import render_user_data
from components.rules import gaming as opt
from tools import gaming_workstation as cli

ROOT = Path(__file__).resolve().parents[2]
MY_IP = "203.0.113.10/32"

T_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
T_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
T_LT = "aws:ec2/launchTemplate:LaunchTemplate"
T_INSTANCE = "aws:ec2/instance:Instance"
T_EIP = "aws:ec2/eip:Eip"
T_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
T_ROLE = "aws:iam/role:Role"
T_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
T_SCHEDULE = "aws:scheduler/schedule:Schedule"


def build(pulumi_env, region="us-east-1", **overrides):
    """Run one workstation with a provider in ``region``; returns (result, outputs)."""
    fields = {"allowed_cidrs": (MY_IP,), **overrides}

    def program():
        provider = aws.Provider(f"gaming-{region}", region=region)
        workstation = GamingWorkstation("gaming", GamingWorkstationArgs(region=region, provider=provider, **fields))
        return workstation.outputs()

    result = pulumi_env.run(program)
    return result, result.value


def one(result, token):
    records = result.of_type(token)
    assert len(records) == 1, f"{len(records)} {token}"
    return records[0]


def policy_statements(record):
    return json.loads(record.inputs["policy"])["Statement"]


def user_data_of(result):
    return base64.b64decode(one(result, T_LT).inputs["userData"]).decode()


# --------------------------------------------------------------------------- network and access


def test_one_public_subnet_no_nat_and_dcv_only_from_the_allowed_cidrs(pulumi_env):
    result, _ = build(pulumi_env, allowed_cidrs=(MY_IP, "198.51.100.0/24", "2001:db8::1/128"))
    subnets = result.of_type("aws:ec2/subnet:Subnet")
    assert [s.inputs["cidrBlock"] for s in subnets] == ["10.0.0.0/28"]
    assert subnets[0].inputs["tags"]["Tier"] == "public"
    assert not result.of_type("aws:ec2/natGateway:NatGateway")
    assert len(result.of_type("aws:ec2/internetGateway:InternetGateway")) == 1

    rules = {
        (
            r.inputs["ipProtocol"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
            r.inputs.get("cidrIpv4") or r.inputs.get("cidrIpv6"),
        )
        for r in result.of_type(T_INGRESS)
    }
    assert rules == {
        (protocol, 8443, 8443, cidr)
        for protocol in ("tcp", "udp")
        for cidr in (MY_IP, "198.51.100.0/24", "2001:db8::1/128")
    }
    ipv6_rules = [r for r in result.of_type(T_INGRESS) if r.inputs.get("cidrIpv6")]
    assert len(ipv6_rules) == 2 and all("cidrIpv4" not in r.inputs for r in ipv6_rules)
    sg = one(result, "aws:ec2/securityGroup:SecurityGroup")
    assert all(r.inputs["securityGroupId"] == sg.id for r in result.of_type(T_INGRESS))
    assert "ingress" not in sg.inputs  # no inline rules that could widen access


def test_rdp_only_when_asked_for(pulumi_env):
    result, _ = build(pulumi_env, enable_rdp=True, allowed_cidrs=(MY_IP, "198.51.100.7/32"))
    rdp = [r for r in result.of_type(T_INGRESS) if r.inputs["fromPort"] == 3389]
    assert {(r.inputs["ipProtocol"], r.inputs["cidrIpv4"]) for r in rdp} == {("tcp", MY_IP), ("tcp", "198.51.100.7/32")}
    assert len(result.of_type(T_INGRESS)) == 6


def test_role_reads_only_the_family_driver_bucket_and_the_dcv_license_bucket(pulumi_env):
    result, _ = build(pulumi_env)
    role = one(result, T_ROLE)
    trust = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]
    assert not result.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    statements = {s["Sid"]: s for s in policy_statements(one(result, T_ROLE_POLICY))}
    assert statements["ListDriverAndLicenseBuckets"]["Action"] == ["s3:ListBucket"]
    assert statements["ListDriverAndLicenseBuckets"]["Resource"] == [
        "arn:aws:s3:::nvidia-gaming",
        "arn:aws:s3:::dcv-license.us-east-1",
    ]
    assert statements["ReadDriversAndLicense"]["Action"] == ["s3:GetObject"]
    assert statements["ReadDriversAndLicense"]["Resource"] == [
        "arn:aws:s3:::nvidia-gaming/*",
        "arn:aws:s3:::dcv-license.us-east-1/*",
    ]
    assert statements["SessionManagerChannels"]["Action"] == [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    ]
    assert statements["SessionManagerRegistration"] == {
        "Sid": "SessionManagerRegistration",
        "Effect": "Allow",
        "Action": ["ssm:UpdateInstanceInformation"],
        "Resource": ["arn:aws:ec2:us-east-1:111111111111:instance/*"],
    }
    assert set(statements) == {
        "ListDriverAndLicenseBuckets",
        "ReadDriversAndLicense",
        "SessionManagerChannels",
        "SessionManagerRegistration",
    }
    every_action = [a for s in statements.values() for a in s["Action"]]
    assert not any(a.endswith("*") for a in every_action)


@pytest.mark.parametrize(
    "family,driver,bucket",
    [
        ("g4ad", "gaming", "ec2-amd-windows-drivers"),
        ("g5", "gaming", "nvidia-gaming"),
        ("g4dn", "grid", "ec2-windows-nvidia-drivers"),
        ("g5", "grid", "ec2-windows-nvidia-drivers"),
    ],
)
def test_each_family_reads_its_own_driver_bucket(pulumi_env, family, driver, bucket):
    result, _ = build(pulumi_env, region="eu-west-1", instance_family=family, nvidia_driver=driver)
    statements = {s["Sid"]: s for s in policy_statements(one(result, T_ROLE_POLICY))}
    assert statements["ListDriverAndLicenseBuckets"]["Resource"] == [
        f"arn:aws:s3:::{bucket}",
        "arn:aws:s3:::dcv-license.eu-west-1",
    ]


# --------------------------------------------------------------------------- image, template, instance


def test_launch_template_defaults(pulumi_env):
    result, outputs = build(pulumi_env)
    lt = one(result, T_LT).inputs
    assert lt["instanceType"] == "g4dn.xlarge"
    ebs = lt["blockDeviceMappings"][0]
    assert ebs["deviceName"] == "/dev/sda1"
    assert ebs["ebs"]["volumeSize"] == 40
    assert ebs["ebs"]["volumeType"] == "gp3"
    assert ebs["ebs"]["encrypted"] == "true"
    assert lt["metadataOptions"]["httpTokens"] == "required"
    profile = one(result, "aws:iam/instanceProfile:InstanceProfile")
    assert lt["iamInstanceProfile"]["arn"] == profile.outputs["arn"]
    assert profile.inputs["role"] == one(result, T_ROLE).outputs["name"]
    nic = lt["networkInterfaces"][0]
    assert nic["subnetId"] == one(result, "aws:ec2/subnet:Subnet").id
    assert nic["securityGroups"] == [one(result, "aws:ec2/securityGroup:SecurityGroup").id]
    assert nic["associatePublicIpAddress"] == "true"
    assert "keyName" not in lt
    assert "instanceMarketOptions" not in lt
    assert lt["updateDefaultVersion"] is True
    tagged = {spec["resourceType"]: spec["tags"] for spec in lt["tagSpecifications"]}
    assert set(tagged) == {"instance", "volume"}
    assert all(tags[WORKSTATION_TAG] == "gaming" for tags in tagged.values())
    assert outputs["launchTemplateId"] == one(result, T_LT).id
    assert outputs["launchTemplateName"] == one(result, T_LT).outputs["name"]


@pytest.mark.parametrize("version", ["2019", "2022"])
def test_base_image_is_the_latest_windows_server_from_the_public_parameter(pulumi_env, version):
    result, _ = build(pulumi_env, windows_version=version)
    lookups = [i for i in pulumi_env.fake.invokes if i.token == "aws:ssm/getParameter:getParameter"]
    assert [i.args["name"] for i in lookups] == [
        f"/aws/service/ami-windows-latest/Windows_Server-{version}-English-Full-Base"
    ]
    ami = lookups[0].result["value"]
    assert one(result, T_LT).inputs["imageId"] == ami
    instance = one(result, T_INSTANCE)
    assert instance.inputs["ami"] == ami
    # a newer Windows release must not replace the workstation and its installed games
    assert instance.options["ignoreChanges"] == ["launchTemplate.version", "ami"]


def test_instance_is_launched_from_the_template_and_keeps_size_volume_and_imdsv2(pulumi_env):
    result, outputs = build(pulumi_env, instance_size="2xlarge", root_volume_gib=300)
    instance = one(result, T_INSTANCE)
    lt = one(result, T_LT)
    assert instance.inputs["launchTemplate"] == {"id": lt.id, "version": str(lt.outputs["latestVersion"])}
    assert instance.inputs["instanceType"] == lt.inputs["instanceType"] == "g4dn.2xlarge"
    root = instance.inputs["rootBlockDevice"]
    assert (root["volumeSize"], root["volumeType"], root["encrypted"]) == (300, "gp3", True)
    assert lt.inputs["blockDeviceMappings"][0]["ebs"]["volumeSize"] == 300
    assert instance.inputs["metadataOptions"]["httpTokens"] == "required"
    assert instance.inputs["tags"][WORKSTATION_TAG] == "gaming"
    # the role policy exists before the first boot downloads the drivers
    assert one(result, T_ROLE_POLICY).urn in instance.dependencies
    assert outputs["instanceId"] == instance.id
    assert outputs["instanceType"] == "g4dn.2xlarge"


def test_personal_ami_replaces_the_base_image_and_skips_the_user_data(pulumi_env):
    result, _ = build(pulumi_env, personal_ami_id="ami-0123456789abcdef0")
    assert not [i for i in pulumi_env.fake.invokes if i.token == "aws:ssm/getParameter:getParameter"]
    lt = one(result, T_LT).inputs
    assert lt["imageId"] == "ami-0123456789abcdef0"
    assert "userData" not in lt
    instance = one(result, T_INSTANCE)
    assert instance.inputs["ami"] == "ami-0123456789abcdef0"
    # a different personal AMI replaces the instance (the data volume stays); template versions never do
    assert instance.options["ignoreChanges"] == ["launchTemplate.version"]


@pytest.mark.parametrize("family,size", [("g4dn", "xlarge"), ("g4ad", "4xlarge"), ("g5", "xlarge")])
def test_each_family_gets_its_default_size_and_its_user_data(pulumi_env, family, size):
    result, _ = build(pulumi_env, instance_family=family)
    assert one(result, T_LT).inputs["instanceType"] == f"{family}.{size}"
    expected = render_user_data(
        family=family,
        dcv_server_url=opt.DEFAULT_DCV_SERVER_URL,
        dcv_display_driver_url=opt.DEFAULT_DCV_DISPLAY_DRIVER_URL,
        grid_certificate_url=None if family == "g4ad" else opt.DEFAULT_GRID_CERTIFICATE_URL,
        data_volume=True,
    )
    script = user_data_of(result)
    assert script == expected
    assert script.startswith("<powershell>") and script.rstrip().endswith("</powershell>")
    assert ("GridSwCert" in script) == (family != "g4ad")


def test_user_data_follows_the_software_arguments(pulumi_env):
    result, _ = build(
        pulumi_env,
        dcv_server_url="https://example.com/dcv-2023.msi",
        install_software=False,
        enable_rdp=True,
        grid_certificate_url="https://example.com/cert.cert",
    )
    script = user_data_of(result)
    assert "-Uri 'https://example.com/dcv-2023.msi'" in script
    assert "-Uri 'https://example.com/cert.cert'" in script
    assert "msiexec" not in script


def test_key_pair_when_given(pulumi_env):
    result, _ = build(pulumi_env, key_name="GamingOnEc2")
    assert one(result, T_LT).inputs["keyName"] == "GamingOnEc2"


# --------------------------------------------------------------------------- what keeps the games


def _provider_replaces(configured: str, launched: int, default: int, latest: int) -> bool:
    """The AWS provider's rule for an instance launched from a template (hashicorp/terraform-provider-aws
    internal/service/ec2/ec2_instance.go): state keeps "$Default"/"$Latest" only while the version the
    instance was launched from (its aws:ec2launchtemplate:version tag) is still that version, else
    the number; CustomizeDiff forces a new instance when the configured version differs from it."""
    symbolic = {"$Default": default, "$Latest": latest}
    in_state = configured if symbolic.get(configured) == launched else str(launched)
    return configured != in_state


def test_no_new_template_version_replaces_the_instance(pulumi_env):
    result, _ = build(pulumi_env)
    instance, lt = one(result, T_INSTANCE), one(result, T_LT)
    launched = int(lt.outputs["latestVersion"])
    configured = instance.inputs["launchTemplate"]["version"]
    # A new Windows image, user data or size makes version 2 the default (update_default_version).
    assert lt.inputs["updateDefaultVersion"] is True
    # Pinned to the launch version, and that input is kept as it is (ignore_changes) when the
    # template's latest version moves on: the provider sees no version change.
    assert "launchTemplate.version" in instance.options["ignoreChanges"]
    assert not _provider_replaces(configured, launched, default=launched + 1, latest=launched + 1)
    # What the former "$Default" did: replaced the instance (and its root volume) after a refresh.
    assert _provider_replaces("$Default", launched, default=launched + 1, latest=launched + 1)


def test_games_live_on_a_data_volume_that_outlives_the_instance(pulumi_env):
    result, outputs = build(pulumi_env, data_volume_gib=200)
    volume = one(result, "aws:ebs/volume:Volume")
    attachment = one(result, "aws:ec2/volumeAttachment:VolumeAttachment")
    instance = one(result, T_INSTANCE)
    subnet = one(result, "aws:ec2/subnet:Subnet")
    # Its own resource, not a block device of the instance: replacing the instance re-attaches it.
    assert (volume.inputs["size"], volume.inputs["type"], volume.inputs["encrypted"]) == (200, "gp3", True)
    assert volume.inputs["finalSnapshot"] is True
    assert volume.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]  # EBS attaches within a zone
    assert "ebsBlockDevices" not in instance.inputs
    assert (attachment.inputs["volumeId"], attachment.inputs["instanceId"]) == (volume.id, instance.id)
    assert attachment.inputs["deviceName"] == "xvdf" and attachment.inputs["stopInstanceBeforeDetaching"] is True
    assert outputs["dataVolumeId"] == volume.id
    # The first boot brings it online and formats it only when blank, so a carried-over volume keeps its files.
    script = user_data_of(result)
    assert "if ($DataDisk.PartitionStyle -eq 'RAW')" in script and "-DriveLetter G" in script
    assert script.index("$DataDisk") < script.index("# GPU driver")


@pytest.mark.parametrize("family,zone", [("g4dn", "us-east-1a"), ("g4ad", "us-east-1b"), ("g5", "us-east-1a")])
def test_the_zone_is_one_that_offers_the_instance_type(pulumi_env, family, zone):
    result, outputs = build(pulumi_env, instance_family=family)
    (lookup,) = [
        i for i in pulumi_env.fake.invokes if i.token == "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings"
    ]
    assert lookup.args["locationType"] == "availability-zone"
    assert lookup.args["filters"] == [{"name": "instance-type", "values": [f"{family}.{opt.DEFAULT_SIZES[family]}"]}]
    assert zone in lookup.result["locations"]
    assert one(result, "aws:ec2/subnet:Subnet").inputs["availabilityZone"] == zone
    assert one(result, "aws:ebs/volume:Volume").inputs["availabilityZone"] == zone
    assert outputs["availabilityZone"] == zone


def test_a_type_no_zone_offers_is_refused_by_name():
    with pytest.raises(ValueError, match="g4ad.4xlarge is not offered in any available Availability Zone of us-east-1"):
        opt.offered_zone(["us-east-1a", "us-east-1b"], ["us-east-1c"], "g4ad.4xlarge", "us-east-1")


def test_installer_versions_are_pinned_by_default():
    # The unversioned "...-Release.msi" names move to each new build.
    assert opt.DEFAULT_DCV_SERVER_URL.endswith("/2024.0/Servers/nice-dcv-server-x64-Release-2024.0-19030.msi")
    assert opt.DEFAULT_DCV_DISPLAY_DRIVER_URL.endswith("-Release-88.msi")
    assert opt.DEFAULT_GRID_CERTIFICATE_URL.endswith("_2024_02_22.cert")


def test_without_the_software_a_personal_ami_or_rdp_is_the_way_in():
    GamingWorkstationArgs(region="us-east-1", allowed_cidrs=(MY_IP,), install_software=False, enable_rdp=True)
    GamingWorkstationArgs(
        region="us-east-1", allowed_cidrs=(MY_IP,), install_software=False, personal_ami_id="ami-0123456789abcdef0"
    )


# --------------------------------------------------------------------------- address and outputs


def test_elastic_ip_is_the_public_address_when_asked_for(pulumi_env):
    result, outputs = build(pulumi_env, associate_elastic_ip=True)
    eip = one(result, T_EIP)
    assert eip.inputs["instance"] == one(result, T_INSTANCE).id
    assert eip.inputs["domain"] == "vpc"
    assert outputs["publicIp"] == eip.outputs["publicIp"]
    assert outputs["dcvUrl"] == f"https://{eip.outputs['publicIp']}:8443"


def test_no_elastic_ip_by_default_the_instance_address_is_used(pulumi_env):
    # An Elastic IP bills 0.005 USD/hour even while the workstation is stopped (3.65 USD/month);
    # the instance's own public address bills only while it runs.
    result, outputs = build(pulumi_env)
    assert not result.of_type(T_EIP)
    instance = one(result, T_INSTANCE)
    assert outputs["publicIp"] == instance.outputs["publicIp"] != ""
    assert outputs["dcvUrl"] == f"https://{instance.outputs['publicIp']}:8443"


def test_outputs_carry_what_the_cli_reads_and_the_start_stop_commands(pulumi_env):
    result, outputs = build(pulumi_env, region="eu-west-1")
    instance_id = one(result, T_INSTANCE).id
    assert set(cli.OUTPUT_KEYS.values()) <= set(outputs)
    assert outputs["region"] == "eu-west-1"
    assert outputs["startCommand"] == f"aws ec2 start-instances --instance-ids {instance_id} --region eu-west-1"
    assert outputs["stopCommand"] == f"aws ec2 stop-instances --instance-ids {instance_id} --region eu-west-1"
    assert instance_id in outputs["passwordUrl"]
    assert cli.WORKSTATION_TAG == WORKSTATION_TAG
    assert one(result, "aws:ec2/volumeAttachment:VolumeAttachment").inputs["deviceName"] == cli.DATA_DEVICE
    component = one(result, "blueprints:gaming:GamingWorkstation")
    assert component.outputs["instanceId"] == instance_id


def test_every_resource_sits_in_the_component_and_the_providers_region(pulumi_env):
    result, _ = build(pulumi_env, region="eu-west-1", nightly_stop_time="01:30")
    component = one(result, "blueprints:gaming:GamingWorkstation")
    network = one(result, "blueprints:network:Network")
    for record in result.resources:
        if record.is_provider or record is component:
            continue
        assert record.parent in (component.urn, network.urn), record.name
        if record.custom and not record.type.startswith("aws:iam/"):
            assert record.region == "eu-west-1", record.name


# --------------------------------------------------------------------------- idle stop, schedule, Spot


def test_idle_alarm_stops_the_instance_after_30_minutes_below_5_percent(pulumi_env):
    result, _ = build(pulumi_env, region="eu-west-1")
    alarm = one(result, T_ALARM).inputs
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == ("AWS/EC2", "CPUUtilization", "Average")
    assert alarm["dimensions"] == {"InstanceId": one(result, T_INSTANCE).id}
    assert alarm["comparisonOperator"] == "LessThanThreshold"
    assert alarm["threshold"] == 5
    assert alarm["period"] * alarm["evaluationPeriods"] == 30 * 60
    assert alarm["datapointsToAlarm"] == alarm["evaluationPeriods"]
    assert alarm["alarmActions"] == ["arn:aws:automate:eu-west-1:ec2:stop"]
    assert alarm["treatMissingData"] == "notBreaching"


def test_idle_alarm_is_configurable_and_optional(pulumi_env):
    result, _ = build(pulumi_env, idle_cpu_percent=12.5, idle_minutes=60)
    alarm = one(result, T_ALARM).inputs
    assert alarm["threshold"] == 12.5
    assert (alarm["period"], alarm["evaluationPeriods"]) == (300, 12)
    result, _ = build(pulumi_env, idle_stop=False)
    assert not result.of_type(T_ALARM)


def test_nightly_stop_schedule(pulumi_env):
    result, _ = build(pulumi_env, nightly_stop_time="02:05", nightly_stop_timezone="Europe/Berlin")
    schedule = one(result, T_SCHEDULE).inputs
    instance = one(result, T_INSTANCE)
    assert schedule["scheduleExpression"] == "cron(5 2 * * ? *)"
    assert schedule["scheduleExpressionTimezone"] == "Europe/Berlin"
    assert schedule["target"]["arn"] == "arn:aws:scheduler:::aws-sdk:ec2:stopInstances"
    assert json.loads(schedule["target"]["input"]) == {"InstanceIds": [instance.id]}
    scheduler_role = result.named("gaming-scheduler", T_ROLE)
    assert schedule["target"]["roleArn"] == scheduler_role.outputs["arn"]
    trust = json.loads(scheduler_role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "111111111111"}}
    stop_policy = result.named("gaming-scheduler-stop", T_ROLE_POLICY)
    assert policy_statements(stop_policy) == [
        {"Effect": "Allow", "Action": ["ec2:StopInstances"], "Resource": [instance.outputs["arn"]]}
    ]


def test_no_schedule_by_default(pulumi_env):
    result, _ = build(pulumi_env)
    assert not result.of_type(T_SCHEDULE)
    assert len(result.of_type(T_ROLE)) == 1


def test_spot_is_persistent_and_stops_on_interruption(pulumi_env):
    result, _ = build(pulumi_env, spot=True)
    expected = {
        "marketType": "spot",
        "spotOptions": {"spotInstanceType": "persistent", "instanceInterruptionBehavior": "stop"},
    }
    assert one(result, T_LT).inputs["instanceMarketOptions"] == expected
    assert one(result, T_INSTANCE).inputs["instanceMarketOptions"] == expected


def test_on_demand_by_default(pulumi_env):
    result, _ = build(pulumi_env)
    assert "instanceMarketOptions" not in one(result, T_INSTANCE).inputs


# --------------------------------------------------------------------------- argument checks


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"allowed_cidrs": ()}, "allowed_cidrs []: at least one allowed CIDR: your own public address as a /32"),
        ({"allowed_cidrs": ("0.0.0.0/0",)}, "allowed_cidrs '0.0.0.0/0': not the whole internet"),
        ({"allowed_cidrs": (MY_IP, "::/0")}, "allowed_cidrs '::/0': not the whole internet"),
        ({"allowed_cidrs": ("203.0.113.10",)}, "allowed_cidrs '203.0.113.10': a network in CIDR notation"),
        ({"allowed_cidrs": ("203.0.113.10/24",)}, "allowed_cidrs '203.0.113.10/24': a network in CIDR notation"),
        ({"instance_family": "p3"}, "instance_family 'p3'"),
        ({"instance_size": "48xlarge"}, "instance_size '48xlarge': a g4dn size"),
        ({"instance_family": "g4ad", "instance_size": "12xlarge"}, "instance_size '12xlarge': a g4ad size"),
        ({"instance_family": "g4ad", "nvidia_driver": "grid"}, "g4ad has an AMD GPU"),
        ({"nvidia_driver": "studio"}, "nvidia_driver 'studio'"),
        ({"windows_version": "2016"}, "windows_version '2016'"),
        ({"personal_ami_id": "my-ami"}, "personal_ami_id 'my-ami'"),
        ({"key_name": "é"}, "key_name 'é'"),
        ({"root_volume_gib": 20}, "root_volume_gib 20: between 30 and 16384"),
        ({"root_volume_gib": 20000}, "root_volume_gib 20000"),
        ({"data_volume_gib": 0}, "data_volume_gib 0: between 1 and 16384"),
        ({"install_software": False}, "install_software False with enable_rdp False: with the software not installed"),
        ({"idle_cpu_percent": 0}, "idle_cpu_percent 0"),
        ({"idle_cpu_percent": 100}, "idle_cpu_percent 100"),
        ({"idle_minutes": 7}, "idle_minutes 7: a multiple of 5"),
        ({"idle_minutes": 1445}, "idle_minutes 1445"),
        ({"nightly_stop_time": "2am"}, "nightly_stop_time '2am'"),
        ({"nightly_stop_time": "02:00", "nightly_stop_timezone": "Moon/Base"}, "nightly_stop_timezone 'Moon/Base'"),
        ({"dcv_server_url": "http://example.com/dcv.msi"}, "dcv_server_url must be an https:// URL"),
        ({"grid_certificate_url": ""}, "grid_certificate_url a URL is required"),
    ],
)
def test_bad_arguments_are_refused_by_name(overrides, message):
    fields = {"region": "us-east-1", "allowed_cidrs": (MY_IP,), **overrides}
    with pytest.raises(ValueError, match="GamingWorkstationArgs") as caught:
        GamingWorkstationArgs(**fields)
    assert message in str(caught.value)


def test_every_problem_is_listed_at_once():
    with pytest.raises(ValueError) as caught:
        GamingWorkstationArgs(
            region="us-east-1", allowed_cidrs=(), instance_family="g4ad", instance_size="metal", idle_minutes=3
        )
    text = str(caught.value)
    assert "allowed_cidrs" in text and "instance_size" in text and "idle_minutes" in text


def test_idle_settings_are_not_checked_when_idle_stop_is_off():
    GamingWorkstationArgs(region="us-east-1", allowed_cidrs=(MY_IP,), idle_stop=False, idle_minutes=3)


def test_grid_driver_and_amd_need_no_certificate():
    GamingWorkstationArgs(region="us-east-1", allowed_cidrs=(MY_IP,), nvidia_driver="grid", grid_certificate_url="")
    GamingWorkstationArgs(region="us-east-1", allowed_cidrs=(MY_IP,), instance_family="g4ad", grid_certificate_url="")


# --------------------------------------------------------------------------- the dev stack


def test_dev_stack_deploys_the_workstation_with_the_documentation_cidr(shipped_stack):
    result = shipped_stack("dev")
    exported = result.outputs["gaming"]
    instance = one(result, T_INSTANCE)
    assert exported["instanceId"] == instance.id
    assert exported["dcvUrl"].startswith("https://") and exported["dcvUrl"].endswith(":8443")
    provider = next(r for r in result.of_type("pulumi:providers:aws") if r.name == "gaming-us-east-1")
    gaming_rules = [r for r in result.of_type(T_INGRESS) if r.provider.startswith(provider.urn)]
    assert {r.inputs["cidrIpv4"] for r in gaming_rules} == {"203.0.113.10/32"}
    assert instance.region == "us-east-1"
    assert json.loads(provider.inputs["defaultTags"])["tags"]["Architecture"] == "gaming"
    assert instance.provider.startswith(provider.urn)
    assert "# 203.0.113.10 is a documentation address" in (ROOT / "Pulumi.dev.yaml").read_text()

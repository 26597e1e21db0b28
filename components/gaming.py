"""Architecture D: a personal cloud gaming workstation on an EC2 GPU instance, streamed with NICE DCV.

One Windows Server instance of the G4dn (NVIDIA T4), G4ad (AMD Radeon Pro V520) or G5 (NVIDIA A10G)
family in a one-subnet public VPC without NAT, reachable only from the allowed CIDRs (NICE DCV on
8443 TCP and UDP; RDP 3389 only when asked for). PowerShell user data fetches the family's GPU
driver and NICE DCV and installs them. The instance is launched from a launch template that stays
behind for the personal-AMI workflow (`tools/gaming_workstation.py`). Beyond the seed: an idle
auto-stop alarm, an optional nightly stop schedule and optional Spot capacity. Stopping keeps the
volumes, so the only cost of a stopped workstation is its storage (and the Elastic IP, when asked for).

What keeps the player's games (issue 17):
- No routine change replaces the instance. The AWS provider replaces an instance whose
  `launch_template.version` differs from the version it was launched from; with "$Default" that
  happens after any new template version (a new Windows image, user data, sizes) and a refresh
  (hashicorp/terraform-provider-aws internal/service/ec2/ec2_instance.go: flattenInstanceLaunchTemplate
  stores the actual version once the template's default moves on; CustomizeDiff forces a new
  instance on a version change). So the instance pins the number it was launched from and ignores
  later versions (and later base images): size, volume size and metadata change in place.
- Games and saves live on a separate gp3 data volume in the instance's zone, attached as xvdf. It is
  not part of the instance, so a replacement only re-attaches it; deleting it takes a final snapshot.
- The zone is one where EC2 offers the instance type (GPU types are not offered in every zone).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components import iam
from components.gaming_user_data import driver_bucket_names, driver_source, render_user_data
from components.network import Network, NetworkArgs
from components.providers import account_id, child_opts
from components.rules import gaming as opt

# Every instance the workstation launches carries this tag; the CLI refuses untagged instances.
WORKSTATION_TAG = "blueprints:gaming-workstation"
ROOT_DEVICE = "/dev/sda1"  # root device name of the Windows Server AMIs
# Device names for Windows EBS volumes are xvd[f-z] (https://docs.aws.amazon.com/ebs/latest/userguide/device_naming.html).
DATA_DEVICE = "xvdf"
GP3_BASELINE_IOPS = 3000
GP3_BASELINE_THROUGHPUT_MIBPS = 125

# What the SSM Agent needs for Session Manager (AWS's minimal instance policy for it).
SESSION_MANAGER_ACTIONS = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)


@dataclass(frozen=True)
class GamingWorkstationArgs:
    region: str  # Region of `provider`; names the EC2 stop action and the DCV license bucket
    allowed_cidrs: tuple[str, ...]  # who may connect; never the whole internet
    provider: pulumi.ProviderResource | None = None
    instance_family: str = "g4dn"
    instance_size: str | None = None  # None: xlarge for g4dn and g5, 4xlarge for g4ad (seed)
    nvidia_driver: str = "gaming"  # NVIDIA families: "gaming" (nvidia-gaming) or "grid"
    windows_version: str = "2019"
    personal_ami_id: str | None = None  # launch from a snapshot of a set-up workstation instead
    key_name: str | None = None
    root_volume_gib: int = opt.DEFAULT_ROOT_VOLUME_GIB
    data_volume_gib: int = opt.DEFAULT_DATA_VOLUME_GIB
    enable_rdp: bool = False
    associate_elastic_ip: bool = False  # 3.65 USD/month even while stopped; the CLI prints the new address
    dcv_server_url: str = opt.DEFAULT_DCV_SERVER_URL
    dcv_display_driver_url: str = opt.DEFAULT_DCV_DISPLAY_DRIVER_URL
    grid_certificate_url: str = opt.DEFAULT_GRID_CERTIFICATE_URL
    install_software: bool = True  # silent installs in the user data; False: download only
    idle_stop: bool = True
    idle_cpu_percent: float = opt.DEFAULT_IDLE_CPU_PERCENT
    idle_minutes: int = opt.DEFAULT_IDLE_MINUTES
    nightly_stop_time: str | None = None  # "HH:MM" in nightly_stop_timezone; None: no schedule
    nightly_stop_timezone: str = "UTC"
    spot: bool = False
    vpc_cidr: str = "10.0.0.0/16"
    tags: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        problems: list[str] = []
        if self.instance_family not in opt.FAMILIES:
            problems.append(f"instance_family {self.instance_family!r}: one of {', '.join(opt.FAMILIES)}")
        else:
            size = opt.size_problem(self.instance_family, self.instance_size)
            if size:
                problems.append(f"instance_size {self.instance_size!r}: {size}")
            if self.instance_family == "g4ad" and self.nvidia_driver != "gaming":
                problems.append(
                    f"nvidia_driver {self.nvidia_driver!r}: g4ad has an AMD GPU; leave the NVIDIA driver at its default"
                )
        if self.nvidia_driver not in opt.NVIDIA_DRIVER_TYPES:
            problems.append(f"nvidia_driver {self.nvidia_driver!r}: one of {', '.join(opt.NVIDIA_DRIVER_TYPES)}")
        if self.windows_version not in opt.WINDOWS_VERSIONS:
            problems.append(f"windows_version {self.windows_version!r}: one of {', '.join(opt.WINDOWS_VERSIONS)}")
        if self.personal_ami_id is not None and not opt.AMI_ID.match(self.personal_ami_id):
            problems.append(f"personal_ami_id {self.personal_ami_id!r}: an AMI id such as ami-0123456789abcdef0")
        if opt.key_name_problem(self.key_name):
            problems.append(f"key_name {self.key_name!r}: {opt.key_name_problem(self.key_name)}")
        if not opt.MIN_ROOT_VOLUME_GIB <= self.root_volume_gib <= opt.MAX_ROOT_VOLUME_GIB:
            problems.append(
                f"root_volume_gib {self.root_volume_gib}: between {opt.MIN_ROOT_VOLUME_GIB} and {opt.MAX_ROOT_VOLUME_GIB}"
            )
        if not opt.MIN_DATA_VOLUME_GIB <= self.data_volume_gib <= opt.MAX_ROOT_VOLUME_GIB:
            problems.append(
                f"data_volume_gib {self.data_volume_gib}: between {opt.MIN_DATA_VOLUME_GIB} and {opt.MAX_ROOT_VOLUME_GIB}"
            )
        access = opt.remote_access_problem(self.install_software, self.enable_rdp, self.personal_ami_id is not None)
        if access:
            problems.append(f"install_software False with enable_rdp False: {access}")
        for value, expected in opt.allowed_cidrs_problems(self.allowed_cidrs):
            problems.append(f"allowed_cidrs {value!r}: {expected}")
        if self.idle_stop:
            if opt.idle_cpu_problem(self.idle_cpu_percent):
                problems.append(
                    f"idle_cpu_percent {self.idle_cpu_percent}: {opt.idle_cpu_problem(self.idle_cpu_percent)}"
                )
            if opt.idle_minutes_problem(self.idle_minutes):
                problems.append(f"idle_minutes {self.idle_minutes}: {opt.idle_minutes_problem(self.idle_minutes)}")
        if opt.stop_time_problem(self.nightly_stop_time):
            problems.append(
                f"nightly_stop_time {self.nightly_stop_time!r}: {opt.stop_time_problem(self.nightly_stop_time)}"
            )
        if self.nightly_stop_time and opt.timezone_problem(self.nightly_stop_timezone):
            problems.append(
                f"nightly_stop_timezone {self.nightly_stop_timezone!r}: {opt.timezone_problem(self.nightly_stop_timezone)}"
            )
        if not problems and self.personal_ami_id is None:
            try:  # the URLs end up inside the PowerShell script: same checks as its generator
                self.user_data()
            except ValueError as err:
                problems.append(str(err))
        if problems:
            raise ValueError("GamingWorkstationArgs: " + "; ".join(problems))

    @property
    def instance_type(self) -> str:
        return opt.instance_type(self.instance_family, self.instance_size)

    @property
    def driver_buckets(self) -> tuple[str, ...]:
        return driver_bucket_names(self.instance_family, self.nvidia_driver)

    @property
    def dcv_license_bucket(self) -> str:
        # NICE DCV on EC2 is licensed by reading this Region's bucket; no license server needed.
        return f"dcv-license.{self.region}"

    @property
    def windows_ami_parameter(self) -> str:
        return opt.WINDOWS_AMI_PARAMETERS[self.windows_version]

    def user_data(self) -> str:
        source = driver_source(self.instance_family, self.nvidia_driver)
        return render_user_data(
            family=self.instance_family,
            nvidia_driver=self.nvidia_driver,
            dcv_server_url=self.dcv_server_url,
            dcv_display_driver_url=self.dcv_display_driver_url,
            grid_certificate_url=self.grid_certificate_url if source.needs_grid_certificate else None,
            install=self.install_software,
            data_volume=True,
        )


class GamingWorkstation(pulumi.ComponentResource):
    """Children: ``network``, ``security_group``, ``ingress_rules``, ``role``, ``instance_profile``,
    ``launch_template``, ``instance``, ``data_volume``, ``data_attachment``, ``elastic_ip``,
    ``idle_alarm``, ``stop_schedule``."""

    def __init__(self, name: str, args: GamingWorkstationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("blueprints:gaming:GamingWorkstation", name, None, opts)
        self.args = args
        child = child_opts(self, args.provider)
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=args.provider)
        tags = {**args.tags, WORKSTATION_TAG: name}

        # --- Network: one public subnet, no NAT (the instance has its own public address), in the
        # first available zone that offers the instance type ---
        self.availability_zone = self._offering_zone(args, invoke)
        self.network = Network(
            f"{name}-net",
            NetworkArgs(
                region=args.region,
                cidr_block=args.vpc_cidr,
                availability_zones=1,
                public_subnets=True,
                private_subnets=False,
                subnet_prefix_length=28,
                availability_zone_names=self.availability_zone.apply(lambda zone: [zone]),
            ),
            opts=child,
        )
        subnet_id = self.network.public_subnet_ids[0]

        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=self.network.vpc_id,
            description="NICE DCV (and RDP when enabled) from the allowed CIDRs only",
            tags={**tags, "Name": f"{name}-sg"},
            opts=child,
        )
        ports = [("dcv", "tcp", opt.DCV_PORT, "NICE DCV"), ("dcv", "udp", opt.DCV_PORT, "NICE DCV over QUIC")]
        if args.enable_rdp:
            ports.append(("rdp", "tcp", opt.RDP_PORT, "RDP"))
        self.ingress_rules: list[aws.vpc.SecurityGroupIngressRule] = []
        for index, cidr in enumerate(args.allowed_cidrs):
            ipv6 = ":" in cidr
            for label, protocol, port, what in ports:
                self.ingress_rules.append(
                    aws.vpc.SecurityGroupIngressRule(
                        f"{name}-{label}-{protocol}-{index}",
                        security_group_id=self.security_group.id,
                        ip_protocol=protocol,
                        from_port=port,
                        to_port=port,
                        cidr_ipv4=None if ipv6 else cidr,
                        cidr_ipv6=cidr if ipv6 else None,
                        description=f"{what} from {cidr}",
                        opts=child,
                    )
                )
        # Games reach their own servers on ports of their choosing, so egress stays open.
        self.egress_rule = aws.vpc.SecurityGroupEgressRule(
            f"{name}-egress",
            security_group_id=self.security_group.id,
            ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0",
            description="Game servers, driver and DCV downloads, SSM, updates",
            opts=child,
        )

        # --- Instance role: driver buckets, the DCV license bucket, Session Manager ---
        account = account_id(args.provider)
        buckets = [*args.driver_buckets, args.dcv_license_bucket]
        self.role = aws.iam.Role(
            f"{name}-role",
            path=iam.ROLE_PATH,
            assume_role_policy=iam.service_trust_policy("ec2.amazonaws.com"),
            description="Gaming workstation: read GPU drivers and the DCV license; Session Manager",
            tags=tags,
            opts=child,
        )
        self.role_policy = aws.iam.RolePolicy(
            f"{name}-access",
            role=self.role.id,
            policy=iam.policy_document(
                [
                    iam.statement(
                        ["s3:ListBucket"], [f"arn:aws:s3:::{b}" for b in buckets], sid="ListDriverAndLicenseBuckets"
                    ),
                    iam.statement(
                        ["s3:GetObject"], [f"arn:aws:s3:::{b}/*" for b in buckets], sid="ReadDriversAndLicense"
                    ),
                    # Session Manager's channel actions have no resource-level permissions: "*" is the only form.
                    iam.statement(list(SESSION_MANAGER_ACTIONS), ["*"], sid="SessionManagerChannels"),
                    # Any instance of this account and Region: instances launched later from a personal
                    # AMI use the same profile, and this policy must exist before the first one boots.
                    iam.statement(
                        ["ssm:UpdateInstanceInformation"],
                        [account.apply(lambda a: f"arn:aws:ec2:{args.region}:{a}:instance/*")],
                        sid="SessionManagerRegistration",
                    ),
                ]
            ),
            opts=child,
        )
        self.instance_profile = aws.iam.InstanceProfile(
            f"{name}-profile", path=iam.ROLE_PATH, role=self.role.name, tags=tags, opts=child
        )

        # --- Image: the latest Windows Server from AWS's public parameter, or a personal AMI ---
        if args.personal_ami_id:
            image_id: pulumi.Input[str] = args.personal_ami_id
            user_data = None  # a personal AMI already holds drivers and DCV
        else:
            image_id = aws.ssm.get_parameter_output(name=args.windows_ami_parameter, opts=invoke).insecure_value
            user_data = base64.b64encode(args.user_data().encode()).decode()

        market = None
        if args.spot:
            # Persistent request, stopped (not terminated) on interruption: the disk survives.
            market = {
                "market_type": "spot",
                "spot_options": {"spot_instance_type": "persistent", "instance_interruption_behavior": "stop"},
            }
        root_volume = {
            "volume_size": args.root_volume_gib,
            "volume_type": "gp3",
            "encrypted": True,
            "iops": GP3_BASELINE_IOPS,
            "throughput": GP3_BASELINE_THROUGHPUT_MIBPS,
            "delete_on_termination": True,
        }
        metadata = {"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1}

        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            description=f"Gaming workstation {args.instance_type} ({opt.GPU_VENDOR[args.instance_family]})",
            image_id=image_id,
            instance_type=args.instance_type,
            key_name=args.key_name,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self.instance_profile.arn),
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    subnet_id=subnet_id,
                    security_groups=[self.security_group.id],
                    associate_public_ip_address="true",
                    delete_on_termination="true",
                    description="Workstation ENI",
                )
            ],
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        **{**root_volume, "encrypted": "true", "delete_on_termination": "true"}
                    ),
                )
            ],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(**metadata),
            instance_market_options=aws.ec2.LaunchTemplateInstanceMarketOptionsArgs(
                market_type="spot",
                spot_options=aws.ec2.LaunchTemplateInstanceMarketOptionsSpotOptionsArgs(**market["spot_options"]),
            )
            if market
            else None,
            user_data=user_data,
            update_default_version=True,  # the CLI launches "$Default"
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags={**tags, "Name": name})
                for kind in ("instance", "volume")
            ],
            tags=tags,
            opts=child,
        )

        # Launched from the template's version at creation, pinned; the attributes EC2 can change in
        # place are repeated so that a new size, volume size or metadata setting updates this instance
        # instead of only the template. Later template versions and Windows releases are ignored (the
        # provider would replace the instance for either, see the module docstring): only a personal
        # AMI, chosen on purpose, replaces it, and the data volume survives even that.
        self.instance = aws.ec2.Instance(
            f"{name}-instance",
            launch_template=aws.ec2.InstanceLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            ami=image_id,
            instance_type=args.instance_type,
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(**root_volume),
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(**metadata),
            instance_market_options=aws.ec2.InstanceInstanceMarketOptionsArgs(
                market_type="spot",
                spot_options=aws.ec2.InstanceInstanceMarketOptionsSpotOptionsArgs(**market["spot_options"]),
            )
            if market
            else None,
            tags={**tags, "Name": name},
            opts=pulumi.ResourceOptions.merge(
                child,
                pulumi.ResourceOptions(
                    # the first boot downloads the drivers with the role's permissions
                    depends_on=[self.role_policy],
                    ignore_changes=["launchTemplate.version", *([] if args.personal_ami_id else ["ami"])],
                ),
            ),
        )

        # --- Data volume: games and saves, outside the instance's lifecycle ---
        self.data_volume = aws.ebs.Volume(
            f"{name}-data",
            availability_zone=self.availability_zone,
            size=args.data_volume_gib,
            type="gp3",
            encrypted=True,
            iops=GP3_BASELINE_IOPS,
            throughput=GP3_BASELINE_THROUGHPUT_MIBPS,
            final_snapshot=True,  # deleting the volume (or the stack) snapshots it first
            tags={**tags, "Name": f"{name}-data"},
            opts=child,
        )
        self.data_attachment = aws.ec2.VolumeAttachment(
            f"{name}-data-attachment",
            device_name=DATA_DEVICE,
            volume_id=self.data_volume.id,
            instance_id=self.instance.id,
            # detaching from a running Windows instance can lose writes: stop it first
            stop_instance_before_detaching=True,
            opts=child,
        )

        self.elastic_ip = None
        if args.associate_elastic_ip:
            self.elastic_ip = aws.ec2.Eip(
                f"{name}-eip", domain="vpc", instance=self.instance.id, tags={**tags, "Name": name}, opts=child
            )
            self.public_ip = self.elastic_ip.public_ip
        else:
            self.public_ip = self.instance.public_ip

        # --- Idle auto-stop: low CPU for a while stops (never terminates) the instance ---
        self.idle_alarm = None
        if args.idle_stop:
            periods = args.idle_minutes * 60 // opt.IDLE_PERIOD_SECONDS
            self.idle_alarm = aws.cloudwatch.MetricAlarm(
                f"{name}-idle-stop",
                alarm_description=(
                    f"Stop the gaming workstation after {args.idle_minutes} minutes "
                    f"below {args.idle_cpu_percent:g}% CPU"
                ),
                namespace="AWS/EC2",
                metric_name="CPUUtilization",
                statistic="Average",
                dimensions={"InstanceId": self.instance.id},
                period=opt.IDLE_PERIOD_SECONDS,
                evaluation_periods=periods,
                datapoints_to_alarm=periods,
                threshold=args.idle_cpu_percent,
                comparison_operator="LessThanThreshold",
                # A stopped instance sends no data: that must not count as idle.
                treat_missing_data="notBreaching",
                alarm_actions=[f"arn:aws:automate:{args.region}:ec2:stop"],
                tags=tags,
                opts=child,
            )

        # --- Optional nightly stop, in case a session is left running ---
        self.stop_schedule = None
        self.scheduler_role = None
        if args.nightly_stop_time:
            hour, minute = args.nightly_stop_time.split(":")
            self.scheduler_role = aws.iam.Role(
                f"{name}-scheduler",
                path=iam.ROLE_PATH,
                assume_role_policy=iam.service_trust_policy("scheduler.amazonaws.com", source_account=account),
                description="Nightly stop of the gaming workstation",
                tags=tags,
                opts=child,
            )
            self.scheduler_policy = aws.iam.RolePolicy(
                f"{name}-scheduler-stop",
                role=self.scheduler_role.id,
                policy=iam.policy_document([iam.statement(["ec2:StopInstances"], [self.instance.arn])]),
                opts=child,
            )
            self.stop_schedule = aws.scheduler.Schedule(
                f"{name}-nightly-stop",
                description=f"Stop the gaming workstation at {args.nightly_stop_time} {args.nightly_stop_timezone}",
                schedule_expression=f"cron({int(minute)} {int(hour)} * * ? *)",
                schedule_expression_timezone=args.nightly_stop_timezone,
                flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
                target=aws.scheduler.ScheduleTargetArgs(
                    arn="arn:aws:scheduler:::aws-sdk:ec2:stopInstances",
                    role_arn=self.scheduler_role.arn,
                    input=self.instance.id.apply(lambda i: json.dumps({"InstanceIds": [i]})),
                ),
                opts=child,
            )

        # --- Outputs ---
        self.instance_id = self.instance.id
        self.dcv_url = self.public_ip.apply(lambda ip: f"https://{ip}:{opt.DCV_PORT}" if ip else "")
        self.launch_template_id = self.launch_template.id
        self.launch_template_name = self.launch_template.name
        self.start_command = self.instance.id.apply(
            lambda i: f"aws ec2 start-instances --instance-ids {i} --region {args.region}"
        )
        self.stop_command = self.instance.id.apply(
            lambda i: f"aws ec2 stop-instances --instance-ids {i} --region {args.region}"
        )
        self.password_url = self.instance.id.apply(
            lambda i: (
                f"https://{args.region}.console.aws.amazon.com/ec2/home?region={args.region}"
                f"#GetWindowsPassword:instanceId={i}"
            )
        )
        self.register_outputs(self.outputs())

    @staticmethod
    def _offering_zone(args: GamingWorkstationArgs, invoke: pulumi.InvokeOutputOptions) -> pulumi.Output[str]:
        zones = aws.get_availability_zones_output(state="available", opts=invoke)
        offerings = aws.ec2.get_instance_type_offerings_output(
            location_type="availability-zone",
            filters=[aws.ec2.GetInstanceTypeOfferingsFilterArgs(name="instance-type", values=[args.instance_type])],
            opts=invoke,
        )
        return pulumi.Output.all(zones.names, offerings.locations).apply(
            lambda found: opt.offered_zone(list(found[0]), list(found[1]), args.instance_type, args.region)
        )

    def outputs(self) -> dict[str, pulumi.Input]:
        """The stack export the CLI reads (`tools.gaming_workstation --stack-outputs`)."""
        return {
            "instanceId": self.instance_id,
            "region": self.args.region,
            "instanceType": self.args.instance_type,
            "availabilityZone": self.availability_zone,
            "dataVolumeId": self.data_volume.id,
            "publicIp": self.public_ip,
            "dcvUrl": self.dcv_url,
            "launchTemplateId": self.launch_template_id,
            "launchTemplateName": self.launch_template_name,
            "startCommand": self.start_command,
            "stopCommand": self.stop_command,
            "passwordUrl": self.password_url,
        }

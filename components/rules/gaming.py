"""The gaming workstation's choices, defaults and checks, shared by the stack config and the component.

Pure Python (no Pulumi), so the stack config can report a bad value under its config key before
any resource exists, and GamingWorkstationArgs applies the very same rules when built directly.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache

from components.gaming_user_data import FAMILIES, NVIDIA_DRIVER_TYPES  # noqa: F401 (re-exported)

# Sizes each family offers (EC2 instance type pages); the seed's defaults per family.
FAMILY_SIZES = {
    "g4dn": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "metal"),
    "g4ad": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"),
    "g5": ("xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"),
}
DEFAULT_SIZES = {"g4dn": "xlarge", "g4ad": "4xlarge", "g5": "xlarge"}
GPU_VENDOR = {"g4dn": "NVIDIA T4", "g4ad": "AMD Radeon Pro V520", "g5": "NVIDIA A10G"}

# Public SSM parameters AWS keeps pointing at the latest Windows Server AMIs.
WINDOWS_AMI_PARAMETERS = {
    "2019": "/aws/service/ami-windows-latest/Windows_Server-2019-English-Full-Base",
    "2022": "/aws/service/ami-windows-latest/Windows_Server-2022-English-Full-Base",
}
WINDOWS_VERSIONS = tuple(WINDOWS_AMI_PARAMETERS)

# Pinned builds, so two deploys a month apart install the same software (the unversioned
# "...-Release.msi" names always point at the newest build): the DCV server 2024.0-19030, from the
# versioned "<release>/Servers/" folder of DCV's download site (https://www.amazondcv.com/ "previous
# releases"), and the virtual display driver release 88 the DCV administrator guide links
# (https://docs.aws.amazon.com/dcv/latest/adminguide/servers.html). Override both to upgrade.
DEFAULT_DCV_SERVER_URL = (
    "https://d1uj6qtbmh3dt5.cloudfront.net/2024.0/Servers/nice-dcv-server-x64-Release-2024.0-19030.msi"
)
DEFAULT_DCV_DISPLAY_DRIVER_URL = (
    "https://d1uj6qtbmh3dt5.cloudfront.net/Drivers/nice-dcv-virtual-display-x64-Release-88.msi"
)
DEFAULT_GRID_CERTIFICATE_URL = (
    "https://nvidia-gaming.s3.amazonaws.com/GridSwCert-Archive/GridSwCertWindows_2024_02_22.cert"
)

DCV_PORT = 8443
RDP_PORT = 3389
# The seed's 150 GB, split: Windows, drivers and DCV on the root (Windows takes about 20 GB), games
# and saves on a separate data volume that outlives any replacement of the instance.
DEFAULT_ROOT_VOLUME_GIB = 40
DEFAULT_DATA_VOLUME_GIB = 100
MIN_ROOT_VOLUME_GIB = 30  # the Windows Server AMIs' root snapshot
MIN_DATA_VOLUME_GIB = 1
MAX_ROOT_VOLUME_GIB = 16384  # gp3 maximum
DEFAULT_IDLE_CPU_PERCENT = 5.0
DEFAULT_IDLE_MINUTES = 30
IDLE_PERIOD_SECONDS = 300  # basic EC2 monitoring publishes CPUUtilization every 5 minutes
MAX_IDLE_MINUTES = 24 * 60  # CloudWatch evaluates at most one day of periods

AMI_ID = re.compile(r"^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
STOP_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_TIMEZONE_SHAPE = re.compile(r"^(UTC|[A-Za-z]+(?:/[A-Za-z0-9_+\-]+){1,2})$")
_KEY_NAME = re.compile(r"^[\x20-\x7e]{1,255}$")

OWN_ADDRESS_HINT = (
    "your own public address as a /32, e.g. 203.0.113.10/32 (`curl https://checkip.amazonaws.com` prints it)"
)


def instance_type(family: str, size: str | None) -> str:
    return f"{family}.{size or DEFAULT_SIZES[family]}"


def size_problem(family: str, size: str | None) -> str | None:
    if family not in FAMILY_SIZES or not size:
        return None
    if size not in FAMILY_SIZES[family]:
        return f"a {family} size: one of {', '.join(FAMILY_SIZES[family])}"
    return None


MISSING_CIDRS = f"at least one allowed CIDR: {OWN_ADDRESS_HINT}"
WHOLE_INTERNET = f"not the whole internet: {OWN_ADDRESS_HINT}"


def is_whole_internet(cidr: str) -> bool:
    try:
        return ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


def allowed_cidrs_problems(cidrs: tuple[str, ...] | list[str]) -> list[tuple[str | list, str]]:
    """(value, expected) for each problem with the allowed inbound CIDRs; the internet is refused."""
    if not cidrs:
        return [([], MISSING_CIDRS)]
    problems: list[tuple[str | list, str]] = []
    for cidr in cidrs:
        try:
            if "/" not in cidr:  # AWS wants the prefix length spelled out
                raise ValueError(cidr)
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            problems.append((cidr, "a network in CIDR notation such as 203.0.113.10/32 (host bits zero)"))
            continue
        if network.prefixlen == 0:
            problems.append((cidr, WHOLE_INTERNET))
    return problems


def stop_time_problem(value: str | None) -> str | None:
    if value and not STOP_TIME.match(value):
        return "a 24-hour time HH:MM such as 02:00, or empty for no nightly stop"
    return None


@cache
def _known_timezones() -> frozenset[str]:
    try:
        import zoneinfo

        return frozenset(zoneinfo.available_timezones())
    except Exception:  # noqa: BLE001 - no tz database on this machine: fall back to the shape check
        return frozenset()


def timezone_problem(value: str) -> str | None:
    known = _known_timezones()
    if value == "UTC" or (value in known if known else _TIMEZONE_SHAPE.match(value or "")):
        return None
    return "an IANA time zone such as UTC or Europe/Berlin"


def key_name_problem(value: str | None) -> str | None:
    if value and not _KEY_NAME.match(value):
        return "an EC2 key pair name (1-255 printable ASCII characters), or empty"
    return None


def idle_minutes_problem(minutes: int) -> str | None:
    if minutes < IDLE_PERIOD_SECONDS // 60 or minutes > MAX_IDLE_MINUTES or minutes % 5:
        return f"a multiple of 5 between 5 and {MAX_IDLE_MINUTES} (CPU is measured every 5 minutes)"
    return None


def idle_cpu_problem(percent: float) -> str | None:
    if not 0 < percent < 100:
        return "a CPU percentage between 0 and 100 (exclusive)"
    return None


NO_WAY_IN = (
    "with the software not installed nothing answers on DCV's port and RDP is off, leaving only "
    "Session Manager: turn RDP on, or install the software"
)


def remote_access_problem(install_software: bool, enable_rdp: bool, personal_ami: bool) -> str | None:
    """A workstation must be reachable by a remote desktop: DCV (installed by the user data, or already
    in a personal AMI) or RDP."""
    if not install_software and not enable_rdp and not personal_ami:
        return NO_WAY_IN
    return None


def offered_zone(zones: list[str], offered: list[str], instance_type: str, region: str) -> str:
    """The first of the Region's zones (in their order) where EC2 offers the instance type: GPU types
    are not offered in every zone (DescribeInstanceTypeOfferings with location type availability-zone,
    https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeInstanceTypeOfferings.html)."""
    for zone in zones:
        if zone in offered:
            return zone
    raise ValueError(
        f"{instance_type} is not offered in any available Availability Zone of {region}; "
        "choose another gamingInstanceFamily/gamingInstanceSize or Region"
    )

"""Architecture D (cloud gaming workstation): the ``gaming*`` keys and the GamingWorkstation Args."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from components.gaming import GamingWorkstationArgs
from components.gaming_user_data import url_problem
from components.providers import ArchitectureProviders
from components.rules import gaming as opt
from config.reader import ConfigReader
from config.settings import StackSettings

ARCHITECTURE = "gaming"


@dataclass(frozen=True)
class GamingConfig:
    """Field names match GamingWorkstationArgs (components/gaming.py); see ``args``."""

    settings: StackSettings
    enabled: bool
    allowed_cidrs: tuple[str, ...]
    instance_family: str
    instance_size: str | None
    nvidia_driver: str
    windows_version: str
    personal_ami_id: str | None
    key_name: str | None
    root_volume_gib: int
    data_volume_gib: int
    enable_rdp: bool
    associate_elastic_ip: bool
    dcv_server_url: str
    dcv_display_driver_url: str
    grid_certificate_url: str
    install_software: bool
    idle_stop: bool
    idle_cpu_percent: float
    idle_minutes: int
    nightly_stop_time: str | None
    nightly_stop_timezone: str
    spot: bool

    @classmethod
    def read(cls, r: ConfigReader, settings: StackSettings) -> GamingConfig:
        family = r.string("gamingInstanceFamily", choices=opt.FAMILIES)
        size = r.string("gamingInstanceSize") or None
        r.check("gamingInstanceSize", size, opt.size_problem(family, size))
        driver = r.string("gamingNvidiaDriver", choices=opt.NVIDIA_DRIVER_TYPES)
        if family == "g4ad" and driver == "grid":
            r.problem("gamingNvidiaDriver", driver, "gaming (the default): g4ad has an AMD GPU, not an NVIDIA one")
        urls = {}
        for key in ("gamingDcvServerUrl", "gamingDcvDisplayDriverUrl", "gamingGridCertificateUrl"):
            urls[key] = r.string(key)
            if url_problem(urls[key]):
                r.problem(key, urls[key], "an https:// download URL without spaces, quotes, backticks, '$' or ';'")
        enabled = r.boolean("gamingEnabled")
        cidrs = r.cidrs("gamingAllowedCidrs")
        if enabled:  # never open to the world: the seed's "any IP" default is not kept
            if not cidrs:
                r.problem("gamingAllowedCidrs", [], opt.MISSING_CIDRS)
            for value in cidrs:
                if opt.is_whole_internet(value):
                    r.problem("gamingAllowedCidrs", value, opt.WHOLE_INTERNET)
        key_name = r.string("gamingKeyName") or None
        r.check("gamingKeyName", key_name, opt.key_name_problem(key_name))
        idle_minutes = r.integer("gamingIdleMinutes")
        r.check("gamingIdleMinutes", idle_minutes, opt.idle_minutes_problem(idle_minutes))
        idle_cpu = r.number("gamingIdleCpuPercent")
        if not r.reported("gamingIdleCpuPercent"):  # not a number: reported once already
            r.check("gamingIdleCpuPercent", idle_cpu, opt.idle_cpu_problem(idle_cpu))
        stop_time = r.string("gamingNightlyStopTime") or None
        r.check("gamingNightlyStopTime", stop_time, opt.stop_time_problem(stop_time))
        timezone = r.string("gamingNightlyStopTimezone")
        r.check("gamingNightlyStopTimezone", timezone, opt.timezone_problem(timezone))
        install_software, enable_rdp = r.boolean("gamingInstallSoftware"), r.boolean("gamingEnableRdp")
        personal_ami_id = (
            r.string("gamingAmiId", pattern=opt.AMI_ID, describe="an AMI id such as ami-0123456789abcdef0, or empty")
            or None
        )
        if enabled:
            r.check(
                "gamingInstallSoftware",
                install_software,
                opt.remote_access_problem(install_software, enable_rdp, personal_ami_id is not None)
                and "true, or gamingEnableRdp true: " + opt.NO_WAY_IN,
            )
        return cls(
            settings=settings,
            enabled=enabled,
            allowed_cidrs=cidrs,
            instance_family=family,
            instance_size=size,
            nvidia_driver=driver,
            windows_version=r.string("gamingWindowsVersion", choices=opt.WINDOWS_VERSIONS),
            personal_ami_id=personal_ami_id,
            key_name=key_name,
            root_volume_gib=r.integer(
                "gamingRootVolumeGiB", minimum=opt.MIN_ROOT_VOLUME_GIB, maximum=opt.MAX_ROOT_VOLUME_GIB
            ),
            data_volume_gib=r.integer(
                "gamingDataVolumeGiB", minimum=opt.MIN_DATA_VOLUME_GIB, maximum=opt.MAX_ROOT_VOLUME_GIB
            ),
            enable_rdp=enable_rdp,
            associate_elastic_ip=r.boolean("gamingAssociateElasticIp"),
            dcv_server_url=urls["gamingDcvServerUrl"],
            dcv_display_driver_url=urls["gamingDcvDisplayDriverUrl"],
            grid_certificate_url=urls["gamingGridCertificateUrl"],
            install_software=install_software,
            idle_stop=r.boolean("gamingIdleStopEnabled"),
            idle_cpu_percent=idle_cpu,
            idle_minutes=idle_minutes,
            nightly_stop_time=stop_time,
            nightly_stop_timezone=timezone,
            spot=r.boolean("gamingSpot"),
        )

    def args(self, providers: ArchitectureProviders) -> GamingWorkstationArgs:
        fields = {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in ("settings", "enabled")
        }
        return GamingWorkstationArgs(region=self.settings.primary_region, provider=providers.primary, **fields)

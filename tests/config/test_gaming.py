"""Stack config of the gaming workstation: every key, its default, and the problems it reports."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from components.gaming import GamingWorkstationArgs
from config import ConfigError, load_schema, parse
from tools import gaming_workstation as cli

ROOT = Path(__file__).resolve().parents[2]
MY_IP = "203.0.113.10/32"


def values(**config):
    """Engine-style values (strings; arrays as JSON) for ``blueprints:<key>``."""
    out = {}
    for key, value in config.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = json.dumps(list(value))
        out[f"blueprints:{key}"] = str(value)
    return out


def enabled(**config):
    return values(**{"gamingEnabled": True, "gamingAllowedCidrs": [MY_IP], **config})


def problems_of(config: dict) -> dict[str, list]:
    with pytest.raises(ConfigError) as caught:
        parse(config, stack="test")
    result: dict[str, list] = {}
    for problem in caught.value.problems:
        result.setdefault(problem.key.removeprefix("blueprints:"), []).append(problem)
    return result


def test_defaults_are_the_seed_values():
    gaming = parse(enabled(), stack="test").gaming
    assert gaming.enabled
    assert (gaming.instance_family, gaming.instance_size, gaming.windows_version) == ("g4dn", None, "2019")
    # the seed's 150 GB split: Windows on the root, games on a data volume that survives a replacement
    assert (gaming.root_volume_gib, gaming.data_volume_gib) == (40, 100)
    assert gaming.associate_elastic_ip is False  # 3.65 USD/month while stopped; the CLI prints the new address
    assert gaming.enable_rdp is False  # the seed opens 3389 too; here only when asked for
    assert (gaming.idle_stop, gaming.idle_cpu_percent, gaming.idle_minutes) == (True, 5.0, 30)
    assert gaming.nightly_stop_time is None and gaming.spot is False
    assert gaming.personal_ami_id is None and gaming.key_name is None
    assert gaming.dcv_server_url.startswith("https://")


def test_the_section_builds_valid_args():
    gaming = parse(
        enabled(
            gamingInstanceFamily="g4ad",
            gamingSpot=True,
            gamingNightlyStopTime="23:30",
            gamingNightlyStopTimezone="Europe/Berlin",
            gamingIdleCpuPercent="7.5",
        ),
        stack="test",
    ).gaming
    args = gaming.args(SimpleNamespace(primary=None))  # the providers: only the primary one is used
    assert isinstance(args, GamingWorkstationArgs) and args.region == gaming.settings.primary_region
    assert args.instance_type == "g4ad.4xlarge"
    assert args.spot and args.nightly_stop_time == "23:30" and args.idle_cpu_percent == 7.5
    assert args.allowed_cidrs == (MY_IP,)


def test_the_shipped_dev_stack_enables_the_workstation_with_a_documentation_cidr():
    raw = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    engine = {
        k: json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in raw.items()
    }
    gaming = parse(engine, stack="dev").gaming
    assert gaming.enabled
    assert gaming.allowed_cidrs == ("203.0.113.10/32",)


def test_disabled_workstation_needs_no_cidr():
    assert not parse(values(gamingEnabled=False), stack="test").gaming.enabled


@pytest.mark.parametrize("cidrs", [[], ["0.0.0.0/0"], [MY_IP, "::/0"]])
def test_no_cidr_or_the_whole_internet_is_refused_with_a_hint(cidrs):
    problems = problems_of(values(gamingEnabled=True, gamingAllowedCidrs=cidrs))
    assert list(problems) == ["gamingAllowedCidrs"]
    expected = problems["gamingAllowedCidrs"][0].expected
    assert "your own public address as a /32" in expected
    assert "203.0.113.10/32" in expected


def test_malformed_cidrs_are_named():
    problems = problems_of(enabled(gamingAllowedCidrs=["203.0.113.10", "my-house", "10.0.0.1/8"]))
    assert [p.value for p in problems["gamingAllowedCidrs"]] == ["203.0.113.10", "my-house", "10.0.0.1/8"]


@pytest.mark.parametrize(
    "key,value,expected",
    [
        ("gamingInstanceFamily", "p3", "one of g4dn, g4ad, g5"),
        ("gamingInstanceSize", "metal-24xl", "a g4dn size"),
        ("gamingNvidiaDriver", "studio", "one of gaming, grid"),
        ("gamingWindowsVersion", "2016", "one of 2019, 2022"),
        ("gamingAmiId", "my-gaming-ami", "an AMI id"),
        ("gamingKeyName", "ключ", "an EC2 key pair name"),
        ("gamingRootVolumeGiB", "20", "between 30 and 16384"),
        ("gamingRootVolumeGiB", "big", "a value of type integer"),
        ("gamingEnableRdp", "yes", "a value of type boolean"),
        ("gamingAssociateElasticIp", "maybe", "a value of type boolean"),
        ("gamingDcvServerUrl", "http://d1uj6qtbmh3dt5.cloudfront.net/x.msi", "an https:// download URL"),
        ("gamingDcvDisplayDriverUrl", "https://example.com/a b.msi", "an https:// download URL"),
        ("gamingGridCertificateUrl", "", "a non-empty value such as the default https://"),
        ("gamingInstallSoftware", "sometimes", "a value of type boolean"),
        ("gamingIdleStopEnabled", "on", "a value of type boolean"),
        ("gamingIdleCpuPercent", "abc", "a number"),
        ("gamingIdleCpuPercent", "0", "between 0 and 100"),
        ("gamingIdleMinutes", "7", "a multiple of 5"),
        ("gamingIdleMinutes", "2000", "a multiple of 5"),
        ("gamingNightlyStopTime", "2am", "HH:MM"),
        ("gamingNightlyStopTimezone", "Moon/Base", "an IANA time zone"),
        ("gamingSpot", "cheap", "a value of type boolean"),
    ],
)
def test_each_bad_value_is_reported_under_its_key(key, value, expected):
    problems = problems_of({**enabled(), f"blueprints:{key}": value})
    assert list(problems) == [key], problems
    assert expected in problems[key][0].expected
    assert problems[key][0].value in (value, int(value) if value.isdigit() else value, 0.0)


def test_size_is_checked_against_the_chosen_family():
    assert (
        parse(enabled(gamingInstanceFamily="g5", gamingInstanceSize="48xlarge"), stack="t").gaming.instance_size
        == "48xlarge"
    )
    problems = problems_of(enabled(gamingInstanceFamily="g4ad", gamingInstanceSize="48xlarge"))
    assert "a g4ad size" in problems["gamingInstanceSize"][0].expected


def test_grid_driver_does_not_fit_the_amd_family():
    problems = problems_of(enabled(gamingInstanceFamily="g4ad", gamingNvidiaDriver="grid"))
    assert "AMD GPU" in problems["gamingNvidiaDriver"][0].expected


def test_all_problems_in_one_error():
    with pytest.raises(ConfigError) as caught:
        parse(
            values(gamingEnabled=True, gamingInstanceFamily="x1", gamingIdleMinutes="3", gamingNightlyStopTime="noon"),
            stack="test",
        )
    keys = {p.key for p in caught.value.problems}
    assert keys == {
        "blueprints:gamingAllowedCidrs",
        "blueprints:gamingInstanceFamily",
        "blueprints:gamingIdleMinutes",
        "blueprints:gamingNightlyStopTime",
    }
    assert "gamingAllowedCidrs" in str(caught.value)


def test_every_gaming_key_is_declared_with_a_description_and_read():
    _, schema = load_schema()
    gaming_keys = {k for k in schema if k.startswith("gaming")}
    assert cli.AMI_CONFIG_KEY in gaming_keys  # the key the CLI tells users to set after a snapshot
    # Each declared key changes the parsed config when set to a valid non-default value.
    samples = {
        "gamingEnabled": "false",
        "gamingAllowedCidrs": '["198.51.100.7/32"]',
        "gamingInstanceFamily": "g5",
        "gamingInstanceSize": "2xlarge",
        "gamingNvidiaDriver": "grid",
        "gamingWindowsVersion": "2022",
        "gamingAmiId": "ami-0123456789abcdef0",
        "gamingKeyName": "mine",
        "gamingRootVolumeGiB": "200",
        "gamingDataVolumeGiB": "500",
        "gamingEnableRdp": "true",
        "gamingAssociateElasticIp": "true",
        "gamingDcvServerUrl": "https://example.com/s.msi",
        "gamingDcvDisplayDriverUrl": "https://example.com/d.msi",
        "gamingGridCertificateUrl": "https://example.com/c.cert",
        "gamingInstallSoftware": "false",
        "gamingIdleStopEnabled": "false",
        "gamingIdleCpuPercent": "9",
        "gamingIdleMinutes": "45",
        "gamingNightlyStopTime": "01:00",
        "gamingNightlyStopTimezone": "Asia/Tokyo",
        "gamingSpot": "true",
    }
    assert set(samples) == gaming_keys
    # Values a sample needs beside it to be valid (no software installed: RDP is the way in).
    companions = {"gamingInstallSoftware": {"gamingEnableRdp": True}}
    for key, sample in samples.items():
        base = parse(enabled(**companions.get(key, {})), stack="t").gaming
        changed = parse({**enabled(**companions.get(key, {})), f"blueprints:{key}": sample}, stack="t").gaming
        assert changed != base, f"{key} is declared but not read"


def test_no_software_and_no_rdp_is_refused_under_the_key():
    # DCV would not be installed and RDP is closed: only Session Manager would let anyone in.
    problems = problems_of(enabled(gamingInstallSoftware=False))
    assert list(problems) == ["gamingInstallSoftware"]
    assert "gamingEnableRdp true" in problems["gamingInstallSoftware"][0].expected
    parse(enabled(gamingInstallSoftware=False, gamingEnableRdp=True), stack="t")
    parse(enabled(gamingInstallSoftware=False, gamingAmiId="ami-0123456789abcdef0"), stack="t")
    parse(values(gamingInstallSoftware=False), stack="t")  # not deployed: nothing to refuse

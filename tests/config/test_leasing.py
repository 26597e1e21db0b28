"""Section C (leasing, database side) of the stack config: typed values and one problem per bad key."""

from pathlib import Path

import pytest
import yaml

from config import ConfigError, parse

ROOT = Path(__file__).resolve().parents[2]


def values(**kwargs) -> dict:
    return {f"blueprints:{k}": v for k, v in kwargs.items()}


def problems(stack="test", **kwargs) -> dict[str, str]:
    with pytest.raises(ConfigError) as caught:
        parse(values(**kwargs), stack=stack)
    return {p.key.split(":", 1)[1]: p.expected for p in caught.value.problems}


def test_defaults_are_a_lean_single_region_platform():
    """Issue 19: no RDS Proxy, no global cluster, a 0 ACU minimum that pauses, endpoints in one AZ."""
    leasing = parse(values(leasingEnabled="true"), stack="t").leasing
    assert leasing.enabled and not leasing.multi_region
    assert (leasing.aurora_min_capacity, leasing.aurora_max_capacity, leasing.aurora_instances) == (0.0, 4.0, 1)
    assert not leasing.rds_proxy and not leasing.global_database and leasing.aurora_auto_pause_seconds == 300
    assert leasing.endpoint_availability_zones == 1
    assert leasing.api_provisioned_concurrency == 0 and leasing.writer_record_ttl == 5
    assert leasing.vpc_cidrs == ("10.60.0.0/16", "10.61.0.0/16")


def test_shipped_stacks_size_the_platform():
    def stack(name):
        raw = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())["config"]
        import json

        return parse(
            {
                k: json.dumps(v) if isinstance(v, list) else str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in raw.items()
            },
            stack=name,
        ).leasing

    dev, prod = stack("dev"), stack("prod")
    assert dev.enabled and prod.enabled
    assert not dev.multi_region and prod.multi_region
    assert dev.api_provisioned_concurrency == 0 < prod.api_provisioned_concurrency
    assert prod.aurora_min_capacity > dev.aurora_min_capacity and prod.aurora_instances >= 2
    assert (dev.rds_proxy, dev.global_database, dev.endpoint_availability_zones) == (False, False, 1)
    assert (prod.rds_proxy, prod.global_database, prod.endpoint_availability_zones) == (True, True, 0)
    assert prod.api_domain_name and prod.api_hosted_zone_id and not dev.api_domain_name


def test_capacity_rules():
    found = problems(leasingAuroraMinCapacity="0.25", leasingAuroraMaxCapacity="2.25")
    assert "0 (auto-pause) only without RDS Proxy" in found["leasingAuroraMinCapacity"]
    assert "multiple of 0.5" in found["leasingAuroraMaxCapacity"]
    # 0 pauses only without a proxy and a global database (neither lets an instance pause).
    for key in ("leasingRdsProxy", "leasingGlobalDatabase"):
        found = problems(leasingAuroraMinCapacity="0", **{key: "true"})
        assert "only without RDS Proxy and without a global database" in found["leasingAuroraMinCapacity"]
    assert "between 300 and 86400" in problems(leasingAuroraAutoPauseSeconds="60")["leasingAuroraAutoPauseSeconds"]
    assert (
        "at least the minimum capacity (8.0)"
        in problems(leasingAuroraMinCapacity="8", leasingAuroraMaxCapacity="4")["leasingAuroraMaxCapacity"]
    )
    assert "a number" in problems(leasingAuroraMinCapacity="lots")["leasingAuroraMinCapacity"]


def test_vpc_cidrs_must_be_two_that_do_not_overlap():
    assert "does not overlap" in problems(leasingVpcCidrs='["10.60.0.0/16", "10.60.128.0/17"]')["leasingVpcCidrs"]
    assert "two CIDRs" in problems(leasingVpcCidrs='["10.60.0.0/16"]')["leasingVpcCidrs"]
    assert "CIDR notation" in problems(leasingVpcCidrs='["10.60.0.1/16", "10.61.0.0/16"]')["leasingVpcCidrs"]


def test_domain_and_zone_go_together_and_partner_url_is_https():
    found = problems(leasingApiDomainName="leasing-api.example.com", leasingPartnerApiUrl="http://p.example.com")
    assert "or neither" in found["leasingApiHostedZoneId"]
    assert "https://" in found["leasingPartnerApiUrl"]
    assert "or empty" in problems(leasingApiHostedZoneId="not-a-zone")["leasingApiHostedZoneId"]


def test_prod_is_active_active_with_a_reader():
    found = problems(
        stack="prod",
        environment="prod",
        consumerAccountId="222222222222",
        consumerRoleArn="arn:aws:iam::222222222222:role/deploy",
        leasingEnabled="true",
    )
    assert "true in prod" in found["leasingMultiRegion"]
    assert "at least 2 in prod" in found["leasingAuroraInstances"]


def test_two_regions_need_the_global_database_and_the_proxies():
    found = problems(leasingMultiRegion="true", leasingAuroraMinCapacity="0.5")
    assert "true when the platform spans two Regions" in found["leasingGlobalDatabase"]
    assert "names the proxy of the current primary" in found["leasingRdsProxy"]
    assert (
        "up to leasingAvailabilityZones (2)"
        in problems(leasingEndpointAvailabilityZones="3")["leasingEndpointAvailabilityZones"]
    )


def test_schedule_ttl_and_emails_are_checked():
    found = problems(
        leasingOutboxRelaySchedule="every minute",
        leasingWriterRecordTtl="600",
        leasingAlarmEmails='["ops"]',
        leasingLogRetentionDays="10",
    )
    assert set(found) == {
        "leasingOutboxRelaySchedule",
        "leasingWriterRecordTtl",
        "leasingAlarmEmails",
        "leasingLogRetentionDays",
    }

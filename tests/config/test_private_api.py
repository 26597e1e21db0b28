"""Stack config sections B (private API) and B2 (resilient two-Region API)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from config import ConfigError, parse

ROOT = Path(__file__).resolve().parents[2]
SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:blueprints/mtls/server-certificate-AbCdEf"
PARAMETER = "arn:aws:ssm:us-east-1:111111111111:parameter/blueprints/mtls/client-ca"
CERT_EAST = "arn:aws:acm:us-east-1:111111111111:certificate/0b6c1c52-3d9e-4d7e-9a57-1e8f6a2b3c4d"
CERT_WEST = "arn:aws:acm:us-west-2:111111111111:certificate/5f2e8a10-7c4b-4e1a-b3d2-9a8f7e6d5c4b"


def values(**config) -> dict:
    return {f"blueprints:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def problems(**config) -> dict[str, list]:
    with pytest.raises(ConfigError) as caught:
        parse(values(**config), stack="test")
    found: dict[str, list] = {}
    for problem in caught.value.problems:
        found.setdefault(problem.key.split(":", 1)[1], []).append(problem)
    return found


def shipped(stack: str):
    raw = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    engine = {
        k: v
        if isinstance(v, str)
        else json.dumps(v)
        if isinstance(v, list)
        else str(v).lower()
        if isinstance(v, bool)
        else str(v)
        for k, v in raw.items()
    }
    return parse(engine, stack=stack)


def test_dev_runs_patterns_one_and_two_in_one_account():
    config = shipped("dev")
    assert config.private_api.enabled
    assert config.private_api.patterns == ("regional-front-door", "vpc-lambda")
    assert not config.settings.has_separate_consumer_account
    assert not config.resilient_api.enabled


def test_prod_runs_all_patterns_across_accounts_and_the_two_region_api():
    config = shipped("prod")
    assert set(config.private_api.patterns) == {"regional-front-door", "vpc-lambda", "mtls-proxy"}
    assert config.settings.has_separate_consumer_account
    assert config.private_api.mtls_server_key_arn.startswith("arn:aws:secretsmanager:")
    assert config.resilient_api.enabled and len(config.resilient_api.certificate_arns) == 2
    assert config.resilient_api.transit_gateway_peering  # the post's design: failover reaches the other NLB


def test_mtls_pattern_needs_its_three_material_arns():
    found = problems(
        privateApiEnabled="true", privateApiPatterns=["mtls-proxy"], privateApiMtlsServerCertificateArn=SECRET
    )
    assert set(found) == {"privateApiMtlsServerKeyArn", "privateApiMtlsClientCaArn"}
    assert "mtls-proxy pattern is on" in found["privateApiMtlsClientCaArn"][0].expected


def test_material_must_be_a_secret_or_parameter_arn():
    found = problems(
        privateApiMtlsServerKeyArn="arn:aws:s3:::bucket/server.key",
        privateApiMtlsClientCaArn="blueprints/mtls/client-ca",
    )
    assert set(found) == {"privateApiMtlsServerKeyArn", "privateApiMtlsClientCaArn"}
    parse(values(privateApiMtlsServerKeyArn=SECRET, privateApiMtlsClientCaArn=PARAMETER), stack="test")


def test_bad_private_api_values_are_each_named():
    found = problems(
        privateApiPatterns=["regional-front-door", "carrier-pigeon", "regional-front-door"],
        privateApiAllowedVpceIds=["vpce-0a1b2c3d4e5f60718", "vpc-0a1b2c3d"],
        privateApiConsumerCidr="10.10.0.0/8",
        privateApiProxyCidr="10.10.128.0/17",
        privateApiThrottleRateLimit="fast",
        privateApiThrottleBurstLimit="9000",
        privateApiFrontDoorAuthorization="COGNITO",
        privateApiStageName="dev stage",
        privateApiLogRetentionDays="31",
        privateApiMtlsKmsKeyArns=["alias/mtls"],
    )
    assert {
        "privateApiPatterns",
        "privateApiAllowedVpceIds",
        "privateApiConsumerCidr",
        "privateApiThrottleRateLimit",
        "privateApiThrottleBurstLimit",
        "privateApiFrontDoorAuthorization",
        "privateApiStageName",
        "privateApiLogRetentionDays",
        "privateApiMtlsKmsKeyArns",
    } <= set(found)
    assert [p.value for p in found["privateApiAllowedVpceIds"]] == ["vpc-0a1b2c3d"]
    assert len(found["privateApiPatterns"]) == 2  # the unknown name and the duplicate


def test_consumer_and_proxy_networks_must_not_overlap():
    found = problems(privateApiConsumerCidr="10.10.0.0/16", privateApiProxyCidr="10.10.0.0/20")
    assert "does not overlap" in found["privateApiProxyCidr"][0].expected


def test_an_enabled_api_without_patterns_must_name_its_callers():
    found = problems(privateApiEnabled="true", privateApiPatterns=[])
    assert "privateApiPatterns" in found
    parse(
        values(privateApiEnabled="true", privateApiPatterns=[], privateApiAllowedVpceIds=["vpce-0a1b2c3d4e5f60718"]),
        stack="test",
    )


def test_resilient_api_needs_one_certificate_per_region_in_that_region():
    found = problems(resilientApiEnabled="true")
    assert "two ACM certificate ARNs" in found["resilientApiCertificateArns"][0].expected
    found = problems(resilientApiEnabled="true", resilientApiCertificateArns=[CERT_WEST, CERT_EAST])
    assert [p.value for p in found["resilientApiCertificateArns"]] == [CERT_WEST, CERT_EAST]
    config = parse(values(resilientApiEnabled="true", resilientApiCertificateArns=[CERT_EAST, CERT_WEST]), stack="test")
    assert config.resilient_api.certificate_arns == (CERT_EAST, CERT_WEST)


def test_bad_resilient_api_values_are_each_named():
    found = problems(
        resilientApiDomainName="api.example.org",
        resilientApiPrimaryCidr="10.1.0.0/16",
        resilientApiSecondaryCidr="10.1.0.0/16",
        resilientApiHealthyHostThreshold="-1",
        resilientApiBasePath="demo/v1",
        resilientApiClientCidrs=["10.3.0.1/16"],
    )
    assert {
        "resilientApiDomainName",
        "resilientApiSecondaryCidr",
        "resilientApiHealthyHostThreshold",
        "resilientApiBasePath",
        "resilientApiClientCidrs",
    } <= set(found)
    assert "a name inside the zone internal.example.com" in found["resilientApiDomainName"][0].expected

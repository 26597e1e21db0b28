"""Architecture B (private REST APIs across accounts): the ``privateApi*`` keys and the Args."""

from __future__ import annotations

from dataclasses import dataclass

from components.private_api import CrossAccountPrivateApiArgs
from components.providers import ArchitectureProviders
from components.rules import formats
from components.rules import private_api as rules
from config.reader import ConfigReader
from config.settings import StackSettings

ARCHITECTURE = "private-api"
_MATERIAL_KEYS = {
    "privateApiMtlsServerCertificateArn": "mtls_server_certificate_arn",
    "privateApiMtlsServerKeyArn": "mtls_server_key_arn",
    "privateApiMtlsClientCaArn": "mtls_client_ca_arn",
}


def _throttle(r: ConfigReader, rate_key: str, burst_key: str) -> tuple[float, int]:
    return (
        r.number(rate_key, minimum=0.1, maximum=formats.MAX_THROTTLE_RATE),
        r.integer(burst_key, minimum=1, maximum=formats.MAX_THROTTLE_BURST),
    )


@dataclass(frozen=True)
class PrivateApiConfig:
    settings: StackSettings
    enabled: bool
    patterns: tuple[str, ...]
    allowed_vpce_ids: tuple[str, ...]
    consumer_cidr: str
    consumer_availability_zones: int
    proxy_cidr: str
    private_dns: bool
    stage_name: str
    throttle_rate_limit: float
    throttle_burst_limit: int
    front_door_authorization: str
    front_door_throttle_rate_limit: float
    front_door_throttle_burst_limit: int
    mtls_server_certificate_arn: str
    mtls_server_key_arn: str
    mtls_client_ca_arn: str
    mtls_client_cidrs: tuple[str, ...]
    mtls_kms_key_arns: tuple[str, ...]
    mtls_desired_count: int
    log_retention_days: int

    @classmethod
    def read(cls, r: ConfigReader, settings: StackSettings) -> PrivateApiConfig:
        patterns = r.strings("privateApiPatterns", item=rules.pattern_problem)
        if len(set(patterns)) != len(patterns):
            r.problem("privateApiPatterns", list(patterns), "each pattern at most once")
        rate, burst = _throttle(r, "privateApiThrottleRateLimit", "privateApiThrottleBurstLimit")
        door_rate, door_burst = _throttle(
            r, "privateApiFrontDoorThrottleRateLimit", "privateApiFrontDoorThrottleBurstLimit"
        )
        material = {}
        for key in _MATERIAL_KEYS:
            material[key] = r.string(key)
            if material[key]:  # empty: no mTLS proxy (checked below when the pattern is on)
                r.check(key, material[key], rules.material_arn_problem(material[key]))
        stage_name = r.string(
            "privateApiStageName", pattern=formats.STAGE_NAME, describe="a stage name: letters, digits, _ and -"
        )
        config = cls(
            settings=settings,
            enabled=r.boolean("privateApiEnabled"),
            patterns=patterns,
            allowed_vpce_ids=r.strings("privateApiAllowedVpceIds", item=formats.vpc_endpoint_id_problem),
            consumer_cidr=r.string("privateApiConsumerCidr"),
            consumer_availability_zones=r.integer("privateApiConsumerAvailabilityZones", minimum=1, maximum=6),
            proxy_cidr=r.string("privateApiProxyCidr"),
            private_dns=r.boolean("privateApiPrivateDns"),
            stage_name=stage_name,
            throttle_rate_limit=rate,
            throttle_burst_limit=burst,
            front_door_authorization=r.string("privateApiFrontDoorAuthorization", choices=rules.AUTHORIZATION),
            front_door_throttle_rate_limit=door_rate,
            front_door_throttle_burst_limit=door_burst,
            mtls_server_certificate_arn=material["privateApiMtlsServerCertificateArn"],
            mtls_server_key_arn=material["privateApiMtlsServerKeyArn"],
            mtls_client_ca_arn=material["privateApiMtlsClientCaArn"],
            mtls_client_cidrs=r.cidrs("privateApiMtlsClientCidrs"),
            mtls_kms_key_arns=r.strings("privateApiMtlsKmsKeyArns", item=rules.kms_key_arn_problem),
            mtls_desired_count=r.integer("privateApiMtlsDesiredCount", minimum=1, maximum=10),
            log_retention_days=r.log_retention("privateApiLogRetentionDays"),
        )
        consumer, proxy = formats.cidr_pair_problems(config.consumer_cidr, config.proxy_cidr)
        r.check("privateApiConsumerCidr", config.consumer_cidr, consumer)
        r.check("privateApiProxyCidr", config.proxy_cidr, proxy)
        if config.enabled:
            r.check("privateApiPatterns", [], rules.nothing_to_call_problem(config.patterns, config.allowed_vpce_ids))
            for key in rules.missing_mtls_material(config.patterns, material):
                r.problem(key, "", "the ARN of the secret or parameter holding this PEM (the mtls-proxy pattern is on)")
        return config

    def args(self, providers: ArchitectureProviders) -> CrossAccountPrivateApiArgs:
        s = self.settings
        return CrossAccountPrivateApiArgs(
            producer_provider=providers.primary,
            consumer_provider=providers.consumer_primary,
            region=s.primary_region,
            consumer_account_id=providers.consumer_account_id,
            separate_consumer_account=s.has_separate_consumer_account,
            patterns=frozenset(self.patterns),
            allowed_vpce_ids=self.allowed_vpce_ids,
            consumer_cidr=self.consumer_cidr,
            consumer_availability_zones=self.consumer_availability_zones,
            proxy_cidr=self.proxy_cidr,
            private_dns_enabled=self.private_dns,
            stage_name=self.stage_name,
            throttling_rate_limit=self.throttle_rate_limit,
            throttling_burst_limit=self.throttle_burst_limit,
            front_door_authorization=self.front_door_authorization,
            front_door_throttling_rate_limit=self.front_door_throttle_rate_limit,
            front_door_throttling_burst_limit=self.front_door_throttle_burst_limit,
            mtls_server_certificate_arn=self.mtls_server_certificate_arn,
            mtls_server_key_arn=self.mtls_server_key_arn,
            mtls_client_ca_arn=self.mtls_client_ca_arn,
            mtls_client_cidrs=self.mtls_client_cidrs,
            mtls_kms_key_arns=self.mtls_kms_key_arns,
            mtls_desired_count=self.mtls_desired_count,
            log_retention_days=self.log_retention_days,
            lambda_packaging=s.lambda_packaging,
        )

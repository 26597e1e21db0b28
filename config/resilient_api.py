"""Architecture B2 (the two-Region private API): the ``resilientApi*`` keys and the Args."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.providers import ArchitectureProviders
from components.resilient_api import MultiRegionPrivateApiArgs, regions_from
from components.rules import formats
from components.rules import private_api as rules
from config.reader import ConfigReader
from config.settings import StackSettings

ARCHITECTURE = "resilient-api"


@dataclass(frozen=True)
class ResilientApiConfig:
    settings: StackSettings
    enabled: bool
    domain_name: str
    zone_name: str
    certificate_arns: tuple[str, ...]  # primary Region first
    primary_cidr: str
    secondary_cidr: str
    stage_name: str
    base_path: str
    transit_gateway_peering: bool
    healthy_host_threshold: float
    client_cidrs: tuple[str, ...]
    log_retention_days: int  # the private API's (privateApiLogRetentionDays)

    @classmethod
    def read(cls, r: ConfigReader, settings: StackSettings, *, log_retention_days: int) -> ResilientApiConfig:
        names = {}
        for key in ("resilientApiDomainName", "resilientApiZoneName"):
            names[key] = r.string(key)
            if names[key]:
                r.check(key, names[key], formats.dns_name_problem(names[key]))
        base_path = r.string("resilientApiBasePath")
        if base_path:
            r.check("resilientApiBasePath", base_path, rules.base_path_problem(base_path))
        config = cls(
            settings=settings,
            enabled=r.boolean("resilientApiEnabled"),
            domain_name=names["resilientApiDomainName"],
            zone_name=names["resilientApiZoneName"],
            certificate_arns=r.strings("resilientApiCertificateArns", item=formats.certificate_problem),
            primary_cidr=r.string("resilientApiPrimaryCidr"),
            secondary_cidr=r.string("resilientApiSecondaryCidr"),
            stage_name=r.string(
                "resilientApiStageName", pattern=formats.STAGE_NAME, describe="a stage name: letters, digits, _ and -"
            ),
            base_path=base_path,
            transit_gateway_peering=r.boolean("resilientApiTransitGatewayPeering"),
            healthy_host_threshold=r.number("resilientApiHealthyHostThreshold", minimum=0.0, maximum=100.0),
            client_cidrs=r.cidrs("resilientApiClientCidrs"),
            log_retention_days=log_retention_days,
        )
        if config.domain_name and config.zone_name:
            r.check(
                "resilientApiDomainName",
                config.domain_name,
                formats.name_in_zone_problem(config.domain_name, config.zone_name),
            )
        primary, secondary = formats.cidr_pair_problems(config.primary_cidr, config.secondary_cidr)
        r.check("resilientApiPrimaryCidr", config.primary_cidr, primary)
        r.check("resilientApiSecondaryCidr", config.secondary_cidr, secondary)
        if config.enabled:
            regions = (settings.primary_region, settings.secondary_region)
            if len(config.certificate_arns) != 2:
                r.problem(
                    "resilientApiCertificateArns",
                    list(config.certificate_arns),
                    f"two ACM certificate ARNs for {config.domain_name}: one in {regions[0]}, then one in {regions[1]}",
                )
            elif not r.reported("resilientApiCertificateArns"):
                for arn, region in zip(config.certificate_arns, regions):
                    r.check("resilientApiCertificateArns", arn, formats.certificate_problem(arn, region))
        return config

    def args(
        self, providers: ArchitectureProviders, api_gateway_logging: dict[str, pulumi.Resource]
    ) -> MultiRegionPrivateApiArgs:
        """``api_gateway_logging``: the account's API Gateway logging setting per Region where another
        architecture already manages it (it is one setting per account and Region)."""
        s = self.settings
        return MultiRegionPrivateApiArgs(
            regions=regions_from(
                (s.primary_region, providers.primary),
                (s.secondary_region, providers.secondary),
                (self.primary_cidr, self.secondary_cidr),
                self.certificate_arns,
                api_gateway_logging,
            ),
            dns_provider=providers.primary,
            domain_name=self.domain_name,
            zone_name=self.zone_name,
            stage_name=self.stage_name,
            base_path=self.base_path,
            client_cidrs=self.client_cidrs,
            healthy_host_threshold=self.healthy_host_threshold,
            transit_gateway_peering=self.transit_gateway_peering,
            log_retention_days=self.log_retention_days,
            lambda_packaging=s.lambda_packaging,
        )

"""The one place that reads stack configuration.

Every key the program reads is declared in ``Pulumi.yaml`` (type, description, default). This
module reads that schema, takes the values the engine passes (all strings; arrays as JSON), checks
each against its declared type and the rules below, and returns frozen dataclasses. Every problem
is collected in one pass and raised as a single :class:`ConfigError` naming the key, the value
given and what is expected. ``ConfigError`` is a ``pulumi.RunError``, so the Pulumi CLI (and the
offline preview) print its message without a traceback.

Adding a key: declare it in ``Pulumi.yaml`` under its section, add a field to the section's
dataclass below and read it in that section's ``read`` method.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import yaml

PROJECT_FILE = Path(__file__).with_name("Pulumi.yaml")

# Commercial Regions this project may deploy to. A Region outside the list is almost always a typo.
KNOWN_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "ca-west-1",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1",
        "eu-south-1", "eu-south-2", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2",
        "ap-southeast-3", "ap-southeast-4", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-east-1", "sa-east-1", "me-south-1", "me-central-1", "af-south-1", "il-central-1",
    }
)
ENVIRONMENTS = ("dev", "prod")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$")


class ConfigError(pulumi.RunError):
    """Invalid stack configuration; the message lists every problem found."""

    def __init__(self, stack: str, problems: list[Problem]):
        self.problems = problems
        lines = [f"Stack '{stack}' has {len(problems)} configuration problem(s):"]
        lines += [f"  - {p}" for p in problems]
        lines.append("Fix them with `pulumi config set <key> <value>` or in Pulumi.<stack>.yaml.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class Problem:
    key: str
    value: Any
    expected: str

    def __str__(self) -> str:
        return f"{self.key}: got {json.dumps(self.value)}, expected {self.expected}"


@cache
def load_schema(project_file: Path = PROJECT_FILE) -> tuple[str, dict[str, dict]]:
    """Returns the project name and its declared config keys (without the project prefix)."""
    project = yaml.safe_load(project_file.read_text())
    declared = {
        key: spec
        for key, spec in (project.get("config") or {}).items()
        if ":" not in key and isinstance(spec, dict) and "type" in spec
    }
    return project["name"], declared


class ConfigReader:
    """Typed access to one stack's config values; records problems instead of raising."""

    def __init__(self, project: str, schema: Mapping[str, dict], values: Mapping[str, Any]):
        self.project = project
        self.schema = schema
        self.problems: list[Problem] = []
        prefix = f"{project}:"
        self._values = {k[len(prefix):]: v for k, v in values.items() if k.startswith(prefix)}
        for key in sorted(set(self._values) - set(schema)):
            self.problem(key, self._values[key], "no such key: it is not declared in Pulumi.yaml (a typo?)")

    def problem(self, key: str, value: Any, expected: str) -> None:
        self.problems.append(Problem(f"{self.project}:{key}", value, expected))

    def _typed(self, key: str) -> Any:
        """The value of ``key`` converted to its declared type, or None (problem recorded)."""
        if key not in self.schema:
            raise KeyError(f"config key {key!r} is read by the program but not declared in Pulumi.yaml")
        spec = self.schema[key]
        if key not in self._values:
            return spec.get("default")
        raw = self._values[key]
        kind = spec["type"]
        try:
            return _convert(raw, kind, spec.get("items", {}).get("type"))
        except ValueError as err:
            self.problem(key, raw, f"a value of type {kind} ({err})")
            return None

    def string(self, key: str, *, choices: tuple[str, ...] | None = None,
               pattern: re.Pattern[str] | None = None, describe: str = "") -> str:
        value = self._typed(key)
        if value is None:
            return ""
        if choices is not None and value not in choices:
            self.problem(key, value, "one of " + ", ".join(choices))
        elif pattern is not None and value and not pattern.match(value):
            self.problem(key, value, describe or f"a string matching {pattern.pattern}")
        return value

    def integer(self, key: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._typed(key)
        if value is None:
            return 0
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
            self.problem(key, value, f"an integer {bounds}")
        return value

    def number(self, key: str, *, minimum: float | None = None, maximum: float | None = None) -> float:
        """A decimal number; declared as a string in Pulumi.yaml (the schema has no float type)."""
        raw = self._typed(key)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            self.problem(key, raw, "a number such as 0.5")
            return 0.0
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(key, raw, f"a number between {minimum} and {maximum}")
        return value

    def boolean(self, key: str) -> bool:
        return bool(self._typed(key))

    def strings(self, key: str, *, item: Callable[[str], str | None] | None = None) -> tuple[str, ...]:
        """An array of strings; ``item`` returns what is expected when an element is invalid."""
        value = self._typed(key) or []
        for element in value:
            expected = item(element) if item else None
            if expected:
                self.problem(key, element, expected)
        return tuple(value)

    def region(self, key: str) -> str:
        value = self.string(key)
        if value not in KNOWN_REGIONS:
            self.problem(key, value, "an AWS Region code such as us-east-1")
        return value

    def account_id(self, key: str) -> str | None:
        value = self.string(key, pattern=_ACCOUNT_ID, describe="a 12-digit AWS account id, or empty")
        return value or None

    def cidrs(self, key: str) -> tuple[str, ...]:
        return self.strings(key, item=cidr_problem)


def cidr_problem(value: str) -> str | None:
    """What is expected when ``value`` is not an IPv4/IPv6 network in CIDR notation, else None."""
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        return "a network in CIDR notation such as 198.51.100.7/32 (host bits zero)"
    return None if "/" in value else f"a CIDR with an explicit prefix length, e.g. {network}"


def _convert(raw: Any, kind: str, item_kind: str | None) -> Any:
    """Converts an engine config value (a string, or already typed in tests) to ``kind``."""
    if kind == "string":
        if not isinstance(raw, str):
            raise ValueError("not a string")
        return raw
    if kind == "integer":
        if isinstance(raw, bool):
            raise ValueError("not an integer")
        if isinstance(raw, int):
            return raw
        if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
            return int(raw)
        raise ValueError("not an integer")
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        raise ValueError("not true or false")
    if kind == "array":
        value = raw
        if isinstance(raw, str):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as err:
                raise ValueError(f"not a JSON array: {err.msg}") from None
        if not isinstance(value, list):
            raise ValueError("not a list")
        if item_kind:
            return [_convert(v, item_kind, None) for v in value]
        return value
    raise ValueError(f"unsupported schema type {kind}")


# --- Sections --------------------------------------------------------------------------------
# Each architecture section is a frozen dataclass with a ``read`` classmethod. Keep the sections in
# the same order as Pulumi.yaml.


# --- Architecture A: EventBridge global endpoints ---
@dataclass(frozen=True)
class EventsConfig:
    enabled: bool = False

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> EventsConfig:
        return cls(enabled=r.boolean("eventsEnabled"))
# --- end of section A ---


# --- Architecture B: private APIs across accounts ---
PRIVATE_API_PATTERNS = ("regional-front-door", "vpc-lambda", "mtls-proxy")
_VPCE_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
_STAGE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_MTLS_MATERIAL_ARN = re.compile(
    r"^arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+"
    r"|ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+)$")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$")
_LOG_RETENTION = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                  2922, 3288, 3653)


def _log_retention(r: ConfigReader, key: str) -> int:
    days = r.integer(key, minimum=1)
    if days and days not in _LOG_RETENTION:
        r.problem(key, days, "a CloudWatch Logs retention: one of " + ", ".join(map(str, _LOG_RETENTION)))
    return days


def _throttle(r: ConfigReader, rate_key: str, burst_key: str) -> tuple[float, int]:
    # API Gateway's account default is 10,000 requests/s with a 5,000 burst (seed S4:49-53).
    return (r.number(rate_key, minimum=0.1, maximum=10000.0), r.integer(burst_key, minimum=1, maximum=5000))


@dataclass(frozen=True)
class PrivateApiConfig:
    enabled: bool = False
    patterns: tuple[str, ...] = ()
    allowed_vpce_ids: tuple[str, ...] = ()
    consumer_cidr: str = ""
    proxy_cidr: str = ""
    private_dns: bool = True
    stage_name: str = "dev"
    throttle_rate_limit: float = 100.0
    throttle_burst_limit: int = 50
    front_door_authorization: str = "AWS_IAM"
    front_door_throttle_rate_limit: float = 50.0
    front_door_throttle_burst_limit: int = 25
    mtls_server_certificate_arn: str = ""
    mtls_server_key_arn: str = ""
    mtls_client_ca_arn: str = ""
    mtls_client_cidrs: tuple[str, ...] = ()
    mtls_kms_key_arns: tuple[str, ...] = ()
    mtls_desired_count: int = 2
    log_retention_days: int = 30

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> PrivateApiConfig:
        patterns = r.strings("privateApiPatterns", item=lambda v: None if v in PRIVATE_API_PATTERNS
                             else "one of " + ", ".join(PRIVATE_API_PATTERNS))
        if len(set(patterns)) != len(patterns):
            r.problem("privateApiPatterns", list(patterns), "each pattern at most once")
        rate, burst = _throttle(r, "privateApiThrottleRateLimit", "privateApiThrottleBurstLimit")
        door_rate, door_burst = _throttle(r, "privateApiFrontDoorThrottleRateLimit",
                                          "privateApiFrontDoorThrottleBurstLimit")
        material = {key: r.string(key, pattern=_MTLS_MATERIAL_ARN,
                                  describe="a Secrets Manager secret ARN or an SSM parameter ARN, or empty")
                    for key in ("privateApiMtlsServerCertificateArn", "privateApiMtlsServerKeyArn",
                                "privateApiMtlsClientCaArn")}
        config = cls(
            enabled=r.boolean("privateApiEnabled"),
            patterns=patterns,
            allowed_vpce_ids=r.strings("privateApiAllowedVpceIds", item=lambda v: None if _VPCE_ID.match(v)
                                       else "a VPC endpoint id such as vpce-0a1b2c3d4e5f60718"),
            consumer_cidr=r.string("privateApiConsumerCidr"),
            proxy_cidr=r.string("privateApiProxyCidr"),
            private_dns=r.boolean("privateApiPrivateDns"),
            stage_name=r.string("privateApiStageName", pattern=_STAGE_NAME,
                                describe="a stage name: letters, digits, _ and -"),
            throttle_rate_limit=rate,
            throttle_burst_limit=burst,
            front_door_authorization=r.string("privateApiFrontDoorAuthorization", choices=("AWS_IAM", "NONE")),
            front_door_throttle_rate_limit=door_rate,
            front_door_throttle_burst_limit=door_burst,
            mtls_server_certificate_arn=material["privateApiMtlsServerCertificateArn"],
            mtls_server_key_arn=material["privateApiMtlsServerKeyArn"],
            mtls_client_ca_arn=material["privateApiMtlsClientCaArn"],
            mtls_client_cidrs=r.cidrs("privateApiMtlsClientCidrs"),
            mtls_kms_key_arns=r.strings("privateApiMtlsKmsKeyArns", item=lambda v: None if _KMS_KEY_ARN.match(v)
                                        else "a KMS key ARN"),
            mtls_desired_count=r.integer("privateApiMtlsDesiredCount", minimum=1, maximum=10),
            log_retention_days=_log_retention(r, "privateApiLogRetentionDays"),
        )
        networks = {}
        for key, value in (("privateApiConsumerCidr", config.consumer_cidr),
                           ("privateApiProxyCidr", config.proxy_cidr)):
            problem = cidr_problem(value)
            if problem or not 16 <= ipaddress.ip_network(value).prefixlen <= 24:
                r.problem(key, value, problem or "a VPC CIDR between /16 and /24")
            else:
                networks[key] = ipaddress.ip_network(value)
        if len(networks) == 2 and networks["privateApiConsumerCidr"].overlaps(networks["privateApiProxyCidr"]):
            r.problem("privateApiProxyCidr", config.proxy_cidr, "a range that does not overlap privateApiConsumerCidr")
        if config.enabled:
            if not config.patterns and not config.allowed_vpce_ids:
                r.problem("privateApiPatterns", [], "at least one pattern, or privateApiAllowedVpceIds naming "
                                                    "the endpoints that may call the API")
            if "mtls-proxy" in config.patterns:
                for key, value in material.items():
                    if not value:
                        r.problem(key, value, "the ARN of the secret or parameter holding this PEM "
                                              "(the mtls-proxy pattern is on)")
        return config
# --- end of section B ---


# --- Architecture B2: resilient two-Region private API ---
_DNS_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ACM_ARN = re.compile(r"^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate/[0-9a-f-]{36}$")


@dataclass(frozen=True)
class ResilientApiConfig:
    enabled: bool = False
    domain_name: str = ""
    zone_name: str = ""
    certificate_arns: tuple[str, ...] = ()  # primary Region first
    primary_cidr: str = ""
    secondary_cidr: str = ""
    stage_name: str = "dev"
    base_path: str = "demo"
    transit_gateway_peering: bool = False
    healthy_host_threshold: float = 1.0
    client_cidrs: tuple[str, ...] = ()

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> ResilientApiConfig:
        config = cls(
            enabled=r.boolean("resilientApiEnabled"),
            domain_name=r.string("resilientApiDomainName", pattern=_DNS_NAME, describe="a lower-case DNS name"),
            zone_name=r.string("resilientApiZoneName", pattern=_DNS_NAME, describe="a lower-case DNS name"),
            certificate_arns=r.strings("resilientApiCertificateArns", item=lambda v: None if _ACM_ARN.match(v)
                                       else "an ACM certificate ARN"),
            primary_cidr=r.string("resilientApiPrimaryCidr"),
            secondary_cidr=r.string("resilientApiSecondaryCidr"),
            stage_name=r.string("resilientApiStageName", pattern=_STAGE_NAME,
                                describe="a stage name: letters, digits, _ and -"),
            base_path=r.string("resilientApiBasePath", pattern=re.compile(r"^[A-Za-z0-9._-]{1,128}$"),
                               describe="a base path: letters, digits, . _ -"),
            transit_gateway_peering=r.boolean("resilientApiTransitGatewayPeering"),
            healthy_host_threshold=r.number("resilientApiHealthyHostThreshold", minimum=0.0, maximum=100.0),
            client_cidrs=r.cidrs("resilientApiClientCidrs"),
        )
        if config.domain_name and config.zone_name and not config.domain_name.endswith("." + config.zone_name):
            r.problem("resilientApiDomainName", config.domain_name, f"a name inside resilientApiZoneName ({config.zone_name})")
        networks = {}
        for key, value in (("resilientApiPrimaryCidr", config.primary_cidr),
                           ("resilientApiSecondaryCidr", config.secondary_cidr)):
            problem = cidr_problem(value)
            if problem or not 16 <= ipaddress.ip_network(value).prefixlen <= 24:
                r.problem(key, value, problem or "a VPC CIDR between /16 and /24")
            else:
                networks[key] = ipaddress.ip_network(value)
        if len(networks) == 2 and networks["resilientApiPrimaryCidr"].overlaps(networks["resilientApiSecondaryCidr"]):
            r.problem("resilientApiSecondaryCidr", config.secondary_cidr, "a range that does not overlap resilientApiPrimaryCidr")
        if config.enabled:
            regions = (stack.primary_region, stack.secondary_region)
            if len(config.certificate_arns) != 2:
                r.problem("resilientApiCertificateArns", list(config.certificate_arns),
                          f"two ACM certificate ARNs for {config.domain_name}: one in {regions[0]}, then one in {regions[1]}")
            else:
                for arn, region in zip(config.certificate_arns, regions):
                    match = _ACM_ARN.match(arn)
                    if match and match.group(1) != region:
                        r.problem("resilientApiCertificateArns", arn, f"a certificate in {region} (ACM certificates are Regional)")
        return config
# --- end of section B2 ---


# --- Architecture C, search side ---
@dataclass(frozen=True)
class LeasingSearchConfig:
    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> LeasingSearchConfig:
        return cls()
# --- end of section C search ---


# --- Architecture C: leasing and search platform ---
@dataclass(frozen=True)
class LeasingConfig:
    enabled: bool = False
    search: LeasingSearchConfig = field(default_factory=LeasingSearchConfig)

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> LeasingConfig:
        return cls(enabled=r.boolean("leasingEnabled"), search=LeasingSearchConfig.read(r, stack))
# --- end of section C ---


# --- Architecture D: cloud gaming workstation ---
@dataclass(frozen=True)
class GamingConfig:
    enabled: bool = False

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> GamingConfig:
        return cls(enabled=r.boolean("gamingEnabled"))
# --- end of section D ---


@dataclass(frozen=True)
class StackSettings:
    """Stack-wide settings every architecture may depend on."""

    project: str
    stack: str
    environment: str
    primary_region: str
    secondary_region: str
    producer_account_id: str | None
    consumer_account_id: str | None
    consumer_role_arn: str | None
    cost_center: str
    protect_stateful_resources: bool
    monthly_budget_usd: int
    budget_alert_emails: tuple[str, ...]

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def has_separate_consumer_account(self) -> bool:
        return self.consumer_account_id is not None and self.consumer_account_id != self.producer_account_id

    @classmethod
    def read(cls, r: ConfigReader, stack: str) -> StackSettings:
        settings = cls(
            project=r.project,
            stack=stack,
            environment=r.string("environment", choices=ENVIRONMENTS),
            primary_region=r.region("primaryRegion"),
            secondary_region=r.region("secondaryRegion"),
            producer_account_id=r.account_id("producerAccountId"),
            consumer_account_id=r.account_id("consumerAccountId"),
            consumer_role_arn=r.string("consumerRoleArn", pattern=_ROLE_ARN,
                                       describe="an IAM role ARN such as arn:aws:iam::222222222222:role/deploy") or None,
            cost_center=r.string("costCenter"),
            protect_stateful_resources=r.boolean("protectStatefulResources"),
            monthly_budget_usd=r.integer("monthlyBudgetUsd", minimum=1),
            budget_alert_emails=r.strings("budgetAlertEmails", item=_email_problem),
        )
        settings._check(r)
        return settings

    def _check(self, r: ConfigReader) -> None:
        if self.secondary_region and self.secondary_region == self.primary_region:
            r.problem("secondaryRegion", self.secondary_region, f"a Region other than primaryRegion ({self.primary_region})")
        if not self.cost_center.strip():
            r.problem("costCenter", self.cost_center, "a non-empty cost center for the CostCenter tag")
        if self.is_prod and self.consumer_account_id is None:
            r.problem("consumerAccountId", "", "a consumer account id: prod stacks consume the private APIs from a second account")
        if self.has_separate_consumer_account:
            if self.consumer_role_arn is None:
                r.problem("consumerRoleArn", "", f"a role ARN in account {self.consumer_account_id} to deploy the consumer side")
            else:
                match = _ROLE_ARN.match(self.consumer_role_arn)
                if match and match.group(1) != self.consumer_account_id:
                    r.problem("consumerRoleArn", self.consumer_role_arn, f"a role in the consumer account {self.consumer_account_id}")


def _email_problem(value: str) -> str | None:
    return None if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value) else "an e-mail address"


@dataclass(frozen=True)
class StackConfig:
    settings: StackSettings
    events: EventsConfig
    private_api: PrivateApiConfig
    resilient_api: ResilientApiConfig
    leasing: LeasingConfig
    gaming: GamingConfig


def parse(values: Mapping[str, Any], *, stack: str, project_file: Path = PROJECT_FILE) -> StackConfig:
    """Builds the stack config from namespaced values (``blueprints:key``); pure and testable."""
    project, schema = load_schema(project_file)
    reader = ConfigReader(project, schema, values)
    settings = StackSettings.read(reader, stack)
    config = StackConfig(
        settings=settings,
        events=EventsConfig.read(reader, settings),
        private_api=PrivateApiConfig.read(reader, settings),
        resilient_api=ResilientApiConfig.read(reader, settings),
        leasing=LeasingConfig.read(reader, settings),
        gaming=GamingConfig.read(reader, settings),
    )
    if reader.problems:
        raise ConfigError(stack, reader.problems)
    return config


def load() -> StackConfig:
    """Reads the running stack's config (under the Pulumi CLI, the offline preview or the tests)."""
    from pulumi.runtime import config as runtime_config

    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return parse(values, stack=pulumi.get_stack())

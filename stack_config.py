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

import dataclasses
import ipaddress
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
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
            self.problem(key, self._values[key], "a declared key: this one is not in Pulumi.yaml (a typo?)")

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
# Each architecture section is a frozen dataclass with a ``read`` classmethod. Its fields have no
# defaults: the defaults live in Pulumi.yaml (and the seed's in the component Args), and ``read``
# always sets every field. Keep the sections in the same order as Pulumi.yaml.


# --- Architecture A: EventBridge global endpoints ---
_EVENT_BUS_NAME = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
_EVENT_ENDPOINT_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# Values CloudWatch Logs accepts for a log group's retention.
_LOG_RETENTION_CHOICES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
                          2192, 2557, 2922, 3288, 3653)


@dataclass(frozen=True)
class EventsConfig:
    enabled: bool
    bus_name: str
    endpoint_name: str
    replication_enabled: bool
    latency_threshold_ms: int
    alarm_evaluation_periods: int
    treat_missing_data: str
    insufficient_data_health_status: str
    archive_retention_days: int
    log_retention_days: int
    producer_enabled: bool

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> EventsConfig:
        log_retention = r.integer("eventsLogRetentionDays", minimum=1)
        if log_retention and log_retention not in _LOG_RETENTION_CHOICES:
            r.problem("eventsLogRetentionDays", log_retention,
                      "a retention CloudWatch Logs accepts: " + ", ".join(map(str, _LOG_RETENTION_CHOICES)))
        return cls(
            enabled=r.boolean("eventsEnabled"),
            bus_name=r.string("eventsBusName", pattern=_EVENT_BUS_NAME,
                              describe="an event bus name: 1-256 letters, digits, '.', '_' or '-'"),
            endpoint_name=r.string("eventsEndpointName", pattern=_EVENT_ENDPOINT_NAME,
                                   describe="an endpoint name: 1-64 letters, digits, '.', '_' or '-'"),
            replication_enabled=r.boolean("eventsReplicationEnabled"),
            latency_threshold_ms=r.integer("eventsLatencyThresholdMs", minimum=1000, maximum=600_000),
            alarm_evaluation_periods=r.integer("eventsAlarmEvaluationPeriods", minimum=1, maximum=60),
            treat_missing_data=r.string("eventsTreatMissingData",
                                        choices=("missing", "notBreaching", "breaching", "ignore")),
            insufficient_data_health_status=r.string("eventsInsufficientDataHealthStatus",
                                                     choices=("LastKnownStatus", "Healthy", "Unhealthy")),
            archive_retention_days=r.integer("eventsArchiveRetentionDays", minimum=1, maximum=3650),
            log_retention_days=log_retention,
            producer_enabled=r.boolean("eventsProducerEnabled"),
        )
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
    enabled: bool
    patterns: tuple[str, ...]
    allowed_vpce_ids: tuple[str, ...]
    consumer_cidr: str
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
_SEARCH_INSTANCE_TYPE = re.compile(r"^[a-z0-9]+\.[a-z0-9]+\.search$")
_SEARCH_ENGINE_VERSION = re.compile(r"^(OpenSearch|Elasticsearch)_\d+\.\d+$")


@dataclass(frozen=True)
class LeasingSearchConfig:
    """Sizes of the search side; field names match components.leasing_search.LeasingSearchArgs."""

    stream_mode: str
    shard_count: int
    retention_hours: int
    batch_size: int
    batch_window_seconds: int
    max_retry_attempts: int
    parallelization_factor: int
    engine_version: str
    instance_type: str
    instance_count: int
    master_type: str
    master_count: int
    warm_type: str
    warm_count: int
    cold_storage: bool
    volume_gb: int
    create_service_linked_role: bool

    def component_values(self) -> dict[str, Any]:
        """Keyword arguments for LeasingSearchArgs (the parent adds provider, network and wiring)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> LeasingSearchConfig:
        node_type = "an OpenSearch instance type such as r6g.large.search"
        config = cls(
            stream_mode=r.string("leasingSearchStreamMode", choices=("PROVISIONED", "ON_DEMAND")),
            shard_count=r.integer("leasingSearchShardCount", minimum=1, maximum=500),
            retention_hours=r.integer("leasingSearchRetentionHours", minimum=24, maximum=8760),
            batch_size=r.integer("leasingSearchBatchSize", minimum=1, maximum=10_000),
            batch_window_seconds=r.integer("leasingSearchBatchWindowSeconds", minimum=0, maximum=300),
            max_retry_attempts=r.integer("leasingSearchMaxRetryAttempts", minimum=0, maximum=10_000),
            parallelization_factor=r.integer("leasingSearchParallelization", minimum=1, maximum=10),
            engine_version=r.string("leasingSearchEngineVersion", pattern=_SEARCH_ENGINE_VERSION,
                                    describe="an engine version such as OpenSearch_2.19"),
            instance_type=r.string("leasingSearchInstanceType", pattern=_SEARCH_INSTANCE_TYPE, describe=node_type),
            instance_count=r.integer("leasingSearchInstanceCount", minimum=1, maximum=80),
            master_type=r.string("leasingSearchMasterType", pattern=_SEARCH_INSTANCE_TYPE, describe=node_type),
            master_count=r.integer("leasingSearchMasterCount", minimum=0, maximum=5),
            warm_type=r.string("leasingSearchWarmType", pattern=_SEARCH_INSTANCE_TYPE,
                               describe="an UltraWarm type such as ultrawarm1.medium.search"),
            warm_count=r.integer("leasingSearchWarmCount", minimum=0, maximum=150),
            cold_storage=r.boolean("leasingSearchColdStorage"),
            volume_gb=r.integer("leasingSearchVolumeGb", minimum=10, maximum=16_384),
            create_service_linked_role=r.boolean("leasingSearchCreateServiceLinkedRole"),
        )
        config._check(r)
        return config

    def _check(self, r: ConfigReader) -> None:
        if self.master_count not in (0, 3, 5):
            r.problem("leasingSearchMasterCount", self.master_count, "0, 3 or 5 dedicated master nodes")
        if bool(self.master_count) != bool(self.master_type):
            r.problem("leasingSearchMasterType", self.master_type,
                      "a master instance type exactly when leasingSearchMasterCount is above 0")
        if self.warm_count == 1:
            r.problem("leasingSearchWarmCount", self.warm_count, "0, or at least 2 UltraWarm nodes")
        if bool(self.warm_count) != bool(self.warm_type):
            r.problem("leasingSearchWarmType", self.warm_type,
                      "an UltraWarm type exactly when leasingSearchWarmCount is above 0")
        if self.warm_count and not self.master_count:
            r.problem("leasingSearchWarmCount", self.warm_count, "0 unless dedicated masters are set (UltraWarm needs them)")
        if self.warm_count and self.instance_type.startswith("t"):
            r.problem("leasingSearchInstanceType", self.instance_type, "a non-burstable type when UltraWarm is on")
        if self.cold_storage and not self.warm_count:
            r.problem("leasingSearchColdStorage", True, "false unless UltraWarm is on (cold storage needs it)")
        if self.instance_count > 1 and self.instance_count % 2 and self.instance_count % 3:
            r.problem("leasingSearchInstanceCount", self.instance_count,
                      "1, or a multiple of 2 or 3 (data nodes spread evenly over 2 or 3 AZs)")
# --- end of section C search ---


# --- Architecture C: leasing and search platform ---
_HTTPS_URL = re.compile(r"^https://[A-Za-z0-9.-]+(:\d+)?(/[^\s]*)?$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ZONE_ID = re.compile(r"^Z[A-Z0-9]{1,31}$")
_SCHEDULE = re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$")
_ENGINE_VERSION = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True)
class LeasingConfig:
    enabled: bool
    search: LeasingSearchConfig
    multi_region: bool
    vpc_cidrs: tuple[str, ...]
    availability_zones: int
    aurora_engine_version: str
    aurora_min_capacity: float
    aurora_max_capacity: float
    aurora_instances: int
    backup_retention_days: int
    api_memory_mb: int
    api_provisioned_concurrency: int
    api_reserved_concurrency: int
    api_domain_name: str
    api_hosted_zone_id: str
    private_zone_name: str
    writer_record_ttl: int
    partner_api_url: str
    partner_api_key: str
    outbox_relay_schedule: str
    event_archive_days: int
    log_retention_days: int
    alarm_emails: tuple[str, ...]

    @classmethod
    def read(cls, r: ConfigReader, stack: StackSettings) -> LeasingConfig:
        config = cls(
            enabled=r.boolean("leasingEnabled"),
            search=LeasingSearchConfig.read(r, stack),
            multi_region=r.boolean("leasingMultiRegion"),
            vpc_cidrs=r.cidrs("leasingVpcCidrs"),
            availability_zones=r.integer("leasingAvailabilityZones", minimum=2, maximum=3),
            aurora_engine_version=r.string("leasingAuroraEngineVersion", pattern=_ENGINE_VERSION,
                                           describe="an Aurora PostgreSQL version such as 16.6"),
            aurora_min_capacity=r.number("leasingAuroraMinCapacity", minimum=0, maximum=256),
            aurora_max_capacity=r.number("leasingAuroraMaxCapacity", minimum=1, maximum=256),
            aurora_instances=r.integer("leasingAuroraInstances", minimum=1, maximum=4),
            backup_retention_days=r.integer("leasingBackupRetentionDays", minimum=1, maximum=35),
            api_memory_mb=r.integer("leasingApiMemoryMb", minimum=128, maximum=10240),
            api_provisioned_concurrency=r.integer("leasingApiProvisionedConcurrency", minimum=0, maximum=100),
            api_reserved_concurrency=r.integer("leasingApiReservedConcurrency", minimum=1, maximum=1000),
            api_domain_name=r.string("leasingApiDomainName", pattern=_DOMAIN,
                                     describe="a lower-case DNS name such as leasing-api.example.com, or empty"),
            api_hosted_zone_id=r.string("leasingApiHostedZoneId", pattern=_ZONE_ID,
                                        describe="a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, or empty"),
            private_zone_name=r.string("leasingPrivateZoneName", pattern=_DOMAIN,
                                       describe="a private DNS zone name such as leasing.internal"),
            writer_record_ttl=r.integer("leasingWriterRecordTtl", minimum=1, maximum=60),
            partner_api_url=r.string("leasingPartnerApiUrl", pattern=_HTTPS_URL,
                                     describe="an https:// URL, or empty for no partner API destination"),
            partner_api_key=r.string("leasingPartnerApiKey"),
            outbox_relay_schedule=r.string("leasingOutboxRelaySchedule", pattern=_SCHEDULE,
                                           describe="an EventBridge schedule such as rate(1 minute)"),
            event_archive_days=r.integer("leasingEventArchiveDays", minimum=1, maximum=3650),
            log_retention_days=r.integer("leasingLogRetentionDays", minimum=1, maximum=3653),
            alarm_emails=r.strings("leasingAlarmEmails", item=_email_problem),
        )
        config._check(r, stack)
        return config

    def _check(self, r: ConfigReader, stack: StackSettings) -> None:
        reported = {p.key.split(":", 1)[1] for p in r.problems}  # one problem per key is enough
        capacity = self.aurora_min_capacity
        if "leasingAuroraMinCapacity" not in reported and 0 <= capacity < 0.5:
            r.problem("leasingAuroraMinCapacity", capacity,
                      "at least 0.5: an instance behind RDS Proxy, in a global database, never auto-pauses, so 0 "
                      "would bill 0.5 ACU anyway")
        for key, value in (("leasingAuroraMinCapacity", self.aurora_min_capacity),
                           ("leasingAuroraMaxCapacity", self.aurora_max_capacity)):
            if key not in reported and value * 2 != int(value * 2):
                r.problem(key, value, "a multiple of 0.5 ACU")
        if not {"leasingAuroraMinCapacity", "leasingAuroraMaxCapacity"} & reported and \
                self.aurora_max_capacity < self.aurora_min_capacity:
            r.problem("leasingAuroraMaxCapacity", self.aurora_max_capacity,
                      f"at least leasingAuroraMinCapacity ({self.aurora_min_capacity})")
        if "leasingVpcCidrs" in reported:
            pass
        elif len(self.vpc_cidrs) != 2:
            r.problem("leasingVpcCidrs", list(self.vpc_cidrs), "two CIDRs: the primary and the secondary Region's VPC")
        elif all(cidr_problem(c) is None for c in self.vpc_cidrs):
            first, second = (ipaddress.ip_network(c) for c in self.vpc_cidrs)
            if first.overlaps(second):
                r.problem("leasingVpcCidrs", list(self.vpc_cidrs), "two CIDRs that do not overlap (the VPCs are peered)")
            for cidr in (first, second):
                if not 16 <= cidr.prefixlen <= 24:
                    r.problem("leasingVpcCidrs", str(cidr), "VPC CIDRs between /16 and /24")
        if bool(self.api_domain_name) != bool(self.api_hosted_zone_id):
            r.problem("leasingApiHostedZoneId" if self.api_domain_name else "leasingApiDomainName",
                      self.api_hosted_zone_id or self.api_domain_name,
                      "both leasingApiDomainName and leasingApiHostedZoneId (the public zone of the custom domain), "
                      "or neither")
        if self.enabled and stack.is_prod and not self.multi_region:
            r.problem("leasingMultiRegion", False, "true in prod: the leasing platform is active-active in two Regions")
        if self.enabled and stack.is_prod and self.aurora_instances < 2:
            r.problem("leasingAuroraInstances", self.aurora_instances,
                      "at least 2 in prod: a reader in another AZ to fail over to")
        if "leasingLogRetentionDays" not in reported and self.log_retention_days not in _LOG_RETENTION_CHOICES:
            r.problem("leasingLogRetentionDays", self.log_retention_days,
                      "a retention CloudWatch Logs accepts: " + ", ".join(map(str, _LOG_RETENTION_CHOICES)))
        if self.partner_api_key and not self.partner_api_url:
            r.problem("leasingPartnerApiKey", "(secret)", "leasingPartnerApiUrl set as well, or no key")
# --- end of section C ---


# --- Architecture D: cloud gaming workstation ---
@dataclass(frozen=True)
class GamingConfig:
    """Field names match GamingWorkstationArgs (components/gaming.py); see ``workstation_fields``."""

    enabled: bool
    allowed_cidrs: tuple[str, ...]
    instance_family: str
    instance_size: str | None
    nvidia_driver: str
    windows_version: str
    personal_ami_id: str | None
    key_name: str | None
    root_volume_gib: int
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
    def read(cls, r: ConfigReader, stack: StackSettings) -> GamingConfig:
        from components import gaming_options as opt
        from components.gaming_user_data import url_problem

        family = r.string("gamingInstanceFamily", choices=opt.FAMILIES)
        size = r.string("gamingInstanceSize") or None
        if opt.size_problem(family, size):
            r.problem("gamingInstanceSize", size, opt.size_problem(family, size))
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
        if opt.key_name_problem(key_name):
            r.problem("gamingKeyName", key_name, opt.key_name_problem(key_name))
        idle_minutes = r.integer("gamingIdleMinutes")
        if opt.idle_minutes_problem(idle_minutes):
            r.problem("gamingIdleMinutes", idle_minutes, opt.idle_minutes_problem(idle_minutes))
        known = len(r.problems)
        idle_cpu = r.number("gamingIdleCpuPercent")
        if len(r.problems) == known and opt.idle_cpu_problem(idle_cpu):
            r.problem("gamingIdleCpuPercent", idle_cpu, opt.idle_cpu_problem(idle_cpu))
        stop_time = r.string("gamingNightlyStopTime") or None
        if opt.stop_time_problem(stop_time):
            r.problem("gamingNightlyStopTime", stop_time, opt.stop_time_problem(stop_time))
        timezone = r.string("gamingNightlyStopTimezone")
        if opt.timezone_problem(timezone):
            r.problem("gamingNightlyStopTimezone", timezone, opt.timezone_problem(timezone))
        return cls(
            enabled=enabled,
            allowed_cidrs=cidrs,
            instance_family=family,
            instance_size=size,
            nvidia_driver=driver,
            windows_version=r.string("gamingWindowsVersion", choices=opt.WINDOWS_VERSIONS),
            personal_ami_id=r.string("gamingAmiId", pattern=opt.AMI_ID,
                                     describe="an AMI id such as ami-0123456789abcdef0, or empty") or None,
            key_name=key_name,
            root_volume_gib=r.integer("gamingRootVolumeGiB", minimum=opt.MIN_ROOT_VOLUME_GIB,
                                      maximum=opt.MAX_ROOT_VOLUME_GIB),
            enable_rdp=r.boolean("gamingEnableRdp"),
            associate_elastic_ip=r.boolean("gamingAssociateElasticIp"),
            dcv_server_url=urls["gamingDcvServerUrl"],
            dcv_display_driver_url=urls["gamingDcvDisplayDriverUrl"],
            grid_certificate_url=urls["gamingGridCertificateUrl"],
            install_software=r.boolean("gamingInstallSoftware"),
            idle_stop=r.boolean("gamingIdleStopEnabled"),
            idle_cpu_percent=idle_cpu,
            idle_minutes=idle_minutes,
            nightly_stop_time=stop_time,
            nightly_stop_timezone=timezone,
            spot=r.boolean("gamingSpot"),
        )

    def workstation_fields(self) -> dict[str, Any]:
        """The GamingWorkstationArgs fields this config sets (all but region and provider)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "enabled"}
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

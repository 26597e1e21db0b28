"""API Gateway rules: private APIs stay private, reachable only through the allow-listed endpoints."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from ._core import (
    Finding,
    Item,
    NotApplicable,
    Res,
    RuleConfig,
    Stack,
    Undecided,
    as_list,
    forbidden,
    get,
    glob_match,
    is_unknown,
    required,
    resource_rule,
    stack_rule,
)
from ._documents import Statement, statements_or_findings
from ._options import list_option

REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
METHOD = "aws:apigateway/method:Method"
HTTP_API = "aws:apigatewayv2/api:Api"
HTTP_ROUTE = "aws:apigatewayv2/route:Route"


def endpoint_types(res: Res) -> list[str]:
    """A REST API's endpoint types ("EDGE" when none is configured). Raises Undecided when unknown."""
    types = get(res.props, "endpointConfiguration", "types")
    if is_unknown(types):
        raise Undecided(types.path)
    values = as_list(types) or ["EDGE"]
    for value in values:
        if is_unknown(value):
            raise Undecided(value.path)
    return [str(v).upper() for v in values]


# --- lp-apigw-private-endpoint -------------------------------------------------------------------------


def _private_endpoint(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    allowed = {t.upper() for t in cfg["allowedEndpointTypes"]}
    if res.type == HTTP_API:
        yield Finding(
            "EndpointType::HTTP",
            "protocolType",
            "HTTP and WebSocket APIs always have a public endpoint: use a PRIVATE REST API for private traffic.",
        )
        return
    for kind in endpoint_types(res):
        if kind not in allowed:
            yield Finding(
                f"EndpointType::{kind}",
                "endpointConfiguration.types",
                f"a {kind} endpoint is reachable from the Internet: make the API PRIVATE and reach it "
                "through an execute-api VPC endpoint.",
            )


FRONT_DOOR_EXCEPTION = {
    "resource": "*blueprints:private_api:RegionalFrontDoor$aws:apigateway/restApi:RestApi::*",
    "token": "EndpointType::REGIONAL",
    "reason": (
        "Pattern 1 of the cross-account private API design: the consumer account's front door is a Regional "
        "API on purpose (callers outside the VPC reach the private APIs through it). Its methods require "
        "AWS_IAM (lp-apigw-method-auth checks every method of a non-private API) and it forwards only "
        "through its VPC link to the internal NLB and the allow-listed execute-api endpoint."
    ),
}

LEASE_API_EXCEPTION = {
    "resource": "*blueprints:leasing:LeasingPlatform$aws:apigateway/restApi:RestApi::*",
    "token": "EndpointType::REGIONAL",
    "reason": (
        "The leasing platform's lease API serves the leasing applications, which run outside any VPC, in "
        "both Regions behind a latency-routed custom domain: Regional by design. Every method requires "
        "AWS_IAM (lp-apigw-method-auth checks every method of a non-private API), and the functions behind "
        "it reach the database only from private subnets."
    ),
}

apigw_private_endpoint = resource_rule(
    name="lp-apigw-private-endpoint",
    description=(
        "APIs are PRIVATE REST APIs reached through execute-api VPC endpoints: set "
        "endpointConfiguration.types to PRIVATE (a public front door needs a reviewed exception)."
    ),
    types={REST_API, HTTP_API},
    check=_private_endpoint,
    exceptions=[FRONT_DOOR_EXCEPTION, LEASE_API_EXCEPTION],
    config={
        "allowedEndpointTypes": list_option(
            ["PRIVATE"], "Endpoint types allowed.", enum=["PRIVATE", "REGIONAL", "EDGE"]
        )
    },
)


# --- the private API resource policy ----------------------------------------------------------------

_VPCE_ID = re.compile(r"^vpce-[0-9a-f]{8,17}$")
_VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
_SOURCE_KEYS = ("aws:SourceVpce", "aws:SourceVpc")


@dataclass
class PolicyVerdict:
    """How a private API's resource policy limits callers."""

    documents: int = 0
    sources: list[tuple[Statement, str, str]] = field(default_factory=list)  # (stmt, key, value)
    findings: list[Finding] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)

    @property
    def restricted(self) -> bool:
        return self.documents > 0 and bool(self.sources) and not self.findings and not self.undecided


def _invokes(stmt: Statement) -> bool:
    return any(glob_match(a.lower(), "execute-api:invoke") for a in stmt.actions) or bool(stmt.not_actions)


def _source_values(stmt: Statement, negated: bool) -> list[tuple[str, str]]:
    prefix = "StringNotEquals" if negated else "StringEquals"
    like = "StringNotLike" if negated else "StringLike"
    return [
        (key, value)
        for key in _SOURCE_KEYS
        for value in stmt.condition_values(key, prefix) + stmt.condition_values(key, like)
    ]


def judge_policy(api: Res, documents: list[tuple[Res, str, object]], cfg: RuleConfig) -> PolicyVerdict:
    """Does the API's policy deny every caller that is not an allow-listed VPC endpoint (or VPC)?"""
    verdict = PolicyVerdict()
    allowed = list(cfg["allowedSourceVpces"])
    statements: list[tuple[Res, Statement]] = []
    for owner, label, document in documents:
        verdict.documents += 1
        for item in statements_or_findings(document, label):
            if isinstance(item, Statement):
                statements.append((owner, item))
            elif isinstance(item, Finding):
                verdict.findings.append(Finding(item.token, item.where, item.message, resource=owner))
            else:
                item.resource = owner
                verdict.undecided.append(item)
    if verdict.undecided:
        return verdict
    if not documents:
        verdict.findings.append(
            Finding(
                "Policy::absent",
                "policy",
                "a private API needs a resource policy that "
                "denies execute-api:Invoke unless aws:SourceVpce is one of the consumer "
                "endpoints.",
                resource=api,
            )
        )
        return verdict
    denies = [(o, s) for o, s in statements if not s.allows and _invokes(s) and _source_values(s, negated=True)]
    for _owner, stmt in denies:
        verdict.sources += [(stmt, k, v) for k, v in _source_values(stmt, negated=True)]
    for owner, stmt in statements:
        if stmt.allows and _invokes(stmt):
            conditioned = _source_values(stmt, negated=False)
            verdict.sources += [(stmt, k, v) for k, v in conditioned]
            if stmt.public_principal() and not conditioned and not denies:
                verdict.findings.append(
                    Finding(
                        "Principal::*",
                        stmt.where,
                        "allows everyone to invoke the API with no aws:SourceVpce limit: add "
                        "a Deny for execute-api:Invoke when aws:SourceVpce is not one of the allowed endpoints.",
                        resource=owner,
                    )
                )
    if not verdict.sources:
        verdict.findings.append(
            Finding(
                "Condition::aws:SourceVpce",
                documents[0][1],
                "nothing limits callers to the consumer VPC endpoints: deny "
                "execute-api:Invoke unless aws:SourceVpce is in the allow-list.",
                resource=documents[0][0],
            )
        )
    for stmt, key, value in verdict.sources:
        verdict.findings += _source_value_findings(stmt, key, value, allowed, api)
    return verdict


def _attached_policies(stack: Stack) -> tuple[dict[int, list[Res]], list[Undecided]]:
    """RestApiPolicy resources by the API they attach to (one pass), and those whose API is unknown."""
    apis = stack.of_type(REST_API)
    by_api: dict[int, list[Res]] = {}
    unknown: list[Undecided] = []
    for attached in stack.of_type(REST_API_POLICY):
        targets = stack.referenced(attached, "restApiId", apis)
        if is_unknown(targets):
            unknown.append(Undecided(targets.path, resource=attached))
            continue
        for api in targets:
            by_api.setdefault(id(api), []).append(attached)
    return by_api, unknown


def api_policies(stack: Stack, api: Res) -> list[tuple[Res, str, object]] | Undecided:
    documents: list[tuple[Res, str, object]] = []
    if api.props.get("policy") is not None:
        documents.append((api, "policy", api.props["policy"]))
    by_api, unknown = stack.memo("rest-api-policies", lambda: _attached_policies(stack))
    if unknown:
        return unknown[0]
    for attached in by_api.get(id(api), ()):
        documents.append((attached, "policy", attached.props.get("policy")))
    return documents


def _private_apis(stack: Stack) -> Iterator[tuple[Res, bool] | Undecided]:
    for api in stack.of_type(REST_API):
        try:
            yield api, "PRIVATE" in endpoint_types(api)
        except Undecided as unknown:
            unknown.resource = api
            yield unknown


_ALLOWLIST_CONFIG = {
    "allowedSourceVpces": list_option(
        [],
        "VPC endpoint (or VPC) ids that may call the private APIs. Empty: any exact ids are accepted, wildcards never.",
    )
}


def _source_value_findings(stmt: Statement, key: str, value: str, allowed: Sequence[str], at: Res) -> list[Finding]:
    pattern = _VPCE_ID if key == "aws:SourceVpce" else _VPC_ID
    if "*" in value or "?" in value or not pattern.match(value):
        return [
            Finding(
                f"SourceVpce::{value}", stmt.where, f"{key} must list exact endpoint ids, not {value!r}.", resource=at
            )
        ]
    if allowed and value not in allowed:
        return [
            Finding(
                f"SourceVpce::{value}",
                stmt.where,
                f"{value} is not in the allowedSourceVpces allow-list ({', '.join(allowed)}).",
                resource=at,
            )
        ]
    return []


def _sourcevpce_allowlist(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    """The allow-list, decided on the resource that carries the document, before anything is created."""
    document = res.props.get("policy")
    if document is None:
        yield NotApplicable(
            "no resource policy on this resource (lp-apigw-private-api-policy checks that a private API has one)"
        )
        return
    allowed = list(cfg["allowedSourceVpces"])
    for stmt in statements_or_findings(document, "policy"):
        if not isinstance(stmt, Statement):
            yield stmt
            continue
        if not _invokes(stmt):
            continue
        for key, value in _source_values(stmt, negated=not stmt.allows):
            yield from _source_value_findings(stmt, key, value, allowed, res)


apigw_sourcevpce_allowlist = resource_rule(
    name="lp-apigw-sourcevpce-allowlist",
    description=(
        "API resource policies name callers by exact, allow-listed VPC endpoint (or VPC) ids in "
        "aws:SourceVpce / aws:SourceVpc: no wildcards, nothing outside allowedSourceVpces. Decided on "
        "the RestApi or RestApiPolicy itself, before it is created."
    ),
    types={REST_API, REST_API_POLICY},
    check=_sourcevpce_allowlist,
    severity=Severity.CRITICAL,
    config=dict(_ALLOWLIST_CONFIG),
)


# --- lp-apigw-private-api-policy (stack) ---------------------------------------------------------------


def _private_api_policy(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    for entry in _private_apis(stack):
        if isinstance(entry, Undecided):
            yield entry
            continue
        api, private = entry
        if not private:
            continue
        documents = api_policies(stack, api)
        if isinstance(documents, Undecided):
            yield documents
            continue
        verdict = judge_policy(api, documents, cfg)
        yield from verdict.undecided
        # The ids themselves are judged per resource by lp-apigw-sourcevpce-allowlist.
        yield from (f for f in verdict.findings if not f.token.startswith("SourceVpce::"))


apigw_private_api_policy = stack_rule(
    name="lp-apigw-private-api-policy",
    description=(
        "A private API has a resource policy (on the RestApi or a RestApiPolicy) that denies "
        "execute-api:Invoke unless aws:SourceVpce (or aws:SourceVpc) is a consumer endpoint; no Allow "
        "for Principal '*' without that limit."
    ),
    check=_private_api_policy,
    severity=Severity.CRITICAL,
    config=dict(_ALLOWLIST_CONFIG),
)


# --- lp-apigw-method-auth (stack) ----------------------------------------------------------------------


def _method_auth(stack: Stack, cfg: RuleConfig) -> Iterator[Item]:
    exempt = {m.upper() for m in cfg["exemptHttpMethods"]}
    apis = stack.of_type(REST_API)
    verdicts: dict[int, PolicyVerdict | Undecided | None] = {}
    for method in stack.of_type(METHOD):
        auth, verb = method.props.get("authorization"), method.props.get("httpMethod")
        if is_unknown(auth) or is_unknown(verb):
            yield Undecided((auth if is_unknown(auth) else verb).path, resource=method)
            continue
        if str(auth).upper() != "NONE" or str(verb).upper() in exempt:
            continue
        owners = stack.referenced(method, "restApi", apis)
        if is_unknown(owners):
            yield Undecided(owners.path, resource=method)
            continue
        if not owners:
            yield Undecided(
                "restApi",
                "its REST API is not in this stack, so the rule cannot see whether it is "
                "private and limited to allow-listed endpoints",
                resource=method,
                pending=False,
            )
            continue
        api = owners[0]
        if id(api) not in verdicts:
            try:
                private = "PRIVATE" in endpoint_types(api)
            except Undecided as unknown:
                unknown.resource = api
                verdicts[id(api)] = unknown
            else:
                documents = api_policies(stack, api) if private else None
                verdicts[id(api)] = (
                    documents
                    if isinstance(documents, Undecided)
                    else judge_policy(api, documents, cfg)
                    if private
                    else None
                )
        verdict = verdicts[id(api)]
        if isinstance(verdict, Undecided):
            yield verdict
            continue
        if isinstance(verdict, PolicyVerdict) and verdict.undecided:
            yield from verdict.undecided
            continue
        if isinstance(verdict, PolicyVerdict) and verdict.restricted:
            continue
        why = (
            "the API is not PRIVATE"
            if verdict is None
            else "the API's resource policy does not limit callers to allow-listed VPC endpoints"
        )
        yield Finding(
            "Authorization::NONE",
            f"{verb} method",
            f"anyone who reaches the API may call it and {why}: use AWS_IAM (or a Cognito/Lambda authorizer).",
            resource=method,
        )
    for route in stack.of_type(HTTP_ROUTE):
        kind = route.props.get("authorizationType") or "NONE"
        if is_unknown(kind):
            yield Undecided(kind.path, resource=route)
        elif kind == "NONE" and not str(route.props.get("routeKey", "")).upper().startswith("OPTIONS "):
            yield Finding(
                "AuthorizationType::NONE",
                "authorizationType",
                "HTTP API routes are public: use AWS_IAM or a JWT/Lambda authorizer.",
                resource=route,
            )


apigw_method_auth = stack_rule(
    name="lp-apigw-method-auth",
    description=(
        "API methods require authorization (AWS_IAM, Cognito or a Lambda authorizer); 'NONE' only on a "
        "PRIVATE API whose resource policy limits callers to allow-listed VPC endpoints."
    ),
    check=_method_auth,
    config={
        "exemptHttpMethods": list_option(["OPTIONS"], "HTTP methods that may stay open (CORS preflight)."),
        **_ALLOWLIST_CONFIG,
    },
)


# --- lp-apigw-stage-logging -----------------------------------------------------------------------------

STAGE = "aws:apigateway/stage:Stage"
METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings"


def _stage_logging(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == STAGE:
        destination = get(res.props, "accessLogSettings", "destinationArn")
        yield from required(
            destination,
            "AccessLogs::missing",
            "accessLogSettings",
            "set accessLogSettings (a log group ARN and a "
            "format) so every call is recorded with its caller and source endpoint.",
        )
        return
    settings = res.props.get("settings")
    if is_unknown(settings):
        yield Undecided(settings.path)
        return
    settings = settings or {}
    level = settings.get("loggingLevel")
    if is_unknown(level):
        yield Undecided(level.path)
    elif str(level or "OFF").upper() == "OFF":
        yield Finding(
            "LoggingLevel::OFF",
            "settings.loggingLevel",
            "set loggingLevel to ERROR (or INFO) so failed calls can be investigated.",
        )


apigw_stage_logging = resource_rule(
    name="lp-apigw-stage-logging",
    description="API stages write access logs and execution logging is on (ERROR or INFO).",
    types={STAGE, METHOD_SETTINGS},
    level=EnforcementLevel.ADVISORY,
    check=_stage_logging,
    severity=Severity.MEDIUM,
)


# --- lp-apigw-no-data-trace / lp-apigw-cache-encrypted (method settings) ------------------------------------


def _method_setting(res: Res, key: str) -> Any:
    settings = res.props.get("settings")
    return settings if is_unknown(settings) else get(settings or {}, key)


def _no_data_trace(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    trace = _method_setting(res, "dataTraceEnabled")
    yield from forbidden(
        trace,
        "DataTrace::true",
        "settings.dataTraceEnabled",
        "data tracing writes full request and "
        "response bodies (credentials, personal data) to CloudWatch: turn it off; access logs record "
        "who called what.",
    )


apigw_no_data_trace = resource_rule(
    name="lp-apigw-no-data-trace",
    description="API method settings keep data tracing (full request and response bodies in the logs) off.",
    types={METHOD_SETTINGS},
    check=_no_data_trace,
)


def _cache_encrypted(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    caching = _method_setting(res, "cachingEnabled")
    if is_unknown(caching):
        yield Undecided(caching.path)
        return
    if not caching:
        yield NotApplicable("responses are not cached")
        return
    encrypted = _method_setting(res, "cacheDataEncrypted")
    yield from required(
        encrypted,
        "CacheDataEncrypted::false",
        "settings.cacheDataEncrypted",
        "cached responses are stored unencrypted: set cacheDataEncrypted = true.",
    )


apigw_cache_encrypted = resource_rule(
    name="lp-apigw-cache-encrypted",
    description="API responses cached by method settings are encrypted (cacheDataEncrypted).",
    types={METHOD_SETTINGS},
    check=_cache_encrypted,
    severity=Severity.MEDIUM,
)


# --- lp-apigw-tls-policy ------------------------------------------------------------------------------------

DOMAIN = "aws:apigateway/domainName:DomainName"
DOMAIN_V2 = "aws:apigatewayv2/domainName:DomainName"


def _modern_tls(policy: str) -> bool:
    return policy.upper() == "TLS_1_2" or policy.startswith(("SecurityPolicy_TLS12", "SecurityPolicy_TLS13"))


def _tls_policy(res: Res, cfg: RuleConfig) -> Iterator[Item]:
    if res.type == DOMAIN_V2:
        where, policy = (
            "domainNameConfiguration.securityPolicy",
            get(res.props, "domainNameConfiguration", "securityPolicy"),
        )
    else:
        where, policy = "securityPolicy", res.props.get("securityPolicy")
    if is_unknown(policy):
        yield Undecided(policy.path)
    elif policy is None:
        if res.type != REST_API:  # a REST API's own endpoint defaults to TLS 1.2
            yield Finding(
                "SecurityPolicy::unset",
                where,
                "set the security policy to TLS_1_2 (or a TLS 1.3 "
                "SecurityPolicy_*) so older protocol versions are refused.",
            )
    elif not _modern_tls(str(policy)):
        yield Finding(
            f"SecurityPolicy::{policy}",
            where,
            f"{policy} accepts TLS 1.0/1.1: use TLS_1_2 or a SecurityPolicy_TLS13_* policy.",
        )
    if res.type in (DOMAIN, DOMAIN_V2):
        name = res.props.get("domainName")
        if is_unknown(name):
            yield Undecided(name.path)
        elif any(glob_match(p, str(name)) for p in cfg["requireMutualTlsFor"]):
            truststore = get(res.props, "mutualTlsAuthentication", "truststoreUri")
            yield from required(
                truststore,
                "MutualTls::missing",
                "mutualTlsAuthentication",
                f"{name} must authenticate clients with certificates: set mutualTlsAuthentication.truststoreUri.",
            )


apigw_tls_policy = resource_rule(
    name="lp-apigw-tls-policy",
    description=(
        "API custom domains (and REST API endpoints that set one) use a TLS 1.2+ security policy; domains "
        "listed in requireMutualTlsFor have a mutual-TLS truststore."
    ),
    types={DOMAIN, DOMAIN_V2, REST_API},
    check=_tls_policy,
    config={"requireMutualTlsFor": list_option([], "Domain-name globs that must use mutual TLS.")},
)

RULES = [
    apigw_private_endpoint,
    apigw_sourcevpce_allowlist,
    apigw_private_api_policy,
    apigw_method_auth,
    apigw_stage_logging,
    apigw_no_data_trace,
    apigw_cache_encrypted,
    apigw_tls_policy,
]

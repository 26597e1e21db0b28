"""API Gateway rules: a resource that breaks each rule and a close neighbour that passes."""

from security_policy_helpers import UNKNOWN, R, check, check_stack, policy_doc

REST_API = "aws:apigateway/restApi:RestApi"
REST_API_POLICY = "aws:apigateway/restApiPolicy:RestApiPolicy"
METHOD = "aws:apigateway/method:Method"
API_ID = "a1b2c3d4e5"
API_PROPS = {
    "name": "leases",
    "endpointConfiguration": {"types": "PRIVATE"},
    "arn": f"arn:aws:apigateway:us-east-1::/restapis/{API_ID}",
    "executionArn": f"arn:aws:execute-api:us-east-1:111111111111:{API_ID}",
}
INVOKE = "execute-api:/*"


def _allow_all():
    return {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": INVOKE}


def _deny_unless(*vpces):
    return {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": INVOKE,
        "Condition": {"StringNotEquals": {"aws:SourceVpce": list(vpces)}},
    }


# --- lp-apigw-private-endpoint ------------------------------------------------------------------------------


def test_regional_and_edge_apis_are_caught_private_passes():
    regional = check(
        "lp-apigw-private-endpoint", REST_API, {"endpointConfiguration": {"types": "REGIONAL"}}, name="front-door"
    )
    assert regional.with_token("EndpointType::REGIONAL")[0].startswith("front-door (RestApi)")
    assert check("lp-apigw-private-endpoint", REST_API, {"name": "x"}).with_token("EndpointType::EDGE")
    assert check("lp-apigw-private-endpoint", REST_API, {"endpointConfiguration": {"types": "PRIVATE"}}).passed
    assert check("lp-apigw-private-endpoint", REST_API, {"endpointConfiguration": {"types": ["PRIVATE"]}}).passed


def test_regional_front_door_passes_with_a_reasoned_exception_only():
    props = {"endpointConfiguration": {"types": "REGIONAL"}}
    waived = check(
        "lp-apigw-private-endpoint",
        REST_API,
        props,
        name="front-door",
        config={
            "exceptions": [
                {
                    "resource": "front-door",
                    "token": "EndpointType::REGIONAL",
                    "reason": "the consumer's public front door",
                }
            ]
        },
    )
    assert waived.passed
    unreasoned = check(
        "lp-apigw-private-endpoint",
        REST_API,
        props,
        name="front-door",
        config={"exceptions": [{"resource": "front-door", "token": "EndpointType::REGIONAL", "reason": "  "}]},
    )
    assert unreasoned.with_token("EndpointType::REGIONAL")
    assert any("exception #0" in v and "has no reason" in v for v in unreasoned.violations)


def test_the_blueprints_regional_apis_are_shipped_exceptions_with_their_reasons():
    from security_policy_helpers import RULES, urn
    from security_rules._core import glob_match

    front_door, lease_api = RULES["lp-apigw-private-endpoint"].config["exceptions"]["default"]
    assert all(len(e["reason"]) > 100 and e["token"] == "EndpointType::REGIONAL" for e in (front_door, lease_api))
    nested = "blueprints:private_api:PrivateApiConsumer$blueprints:private_api:RegionalFrontDoor$" + REST_API
    assert glob_match(front_door["resource"], urn(nested, "private-api-front-door"))
    assert glob_match(lease_api["resource"], urn("blueprints:leasing:LeasingPlatform$" + REST_API, "leasing-api"))
    for shipped in (front_door, lease_api):  # only the blueprints' own components
        assert not glob_match(shipped["resource"], urn(REST_API, "private-api-front-door"))
    # A config that sets exceptions replaces the shipped list.
    assert check(
        "lp-apigw-private-endpoint",
        REST_API,
        {"endpointConfiguration": {"types": "REGIONAL"}},
        config={"exceptions": []},
    ).violations


def test_endpoint_type_unknown_at_preview_is_undecided():
    outcome = check("lp-apigw-private-endpoint", REST_API, {"endpointConfiguration": {"types": UNKNOWN}})
    assert outcome.undecided and "endpointConfiguration.types" in outcome.undecided


# --- lp-apigw-sourcevpce-allowlist (per resource) ---------------------------------------------------------------


def test_allow_list_is_judged_on_the_document_itself():
    listed = policy_doc(_allow_all(), _deny_unless("vpce-1a2b3c4d"))
    for type_, props in ((REST_API_POLICY, {"restApiId": API_ID}), (REST_API, dict(API_PROPS))):
        assert check(
            "lp-apigw-sourcevpce-allowlist",
            type_,
            dict(props, policy=listed),
            config={"allowedSourceVpces": ["vpce-1a2b3c4d"]},
        ).passed
        wild = check(
            "lp-apigw-sourcevpce-allowlist", type_, dict(props, policy=policy_doc(_allow_all(), _deny_unless("vpce-*")))
        )
        assert "exact endpoint ids" in wild.with_token("SourceVpce::vpce-*")[0]
        other = check(
            "lp-apigw-sourcevpce-allowlist",
            type_,
            dict(props, policy=policy_doc(_allow_all(), _deny_unless("vpce-0badbad0"))),
            config={"allowedSourceVpces": ["vpce-1a2b3c4d"]},
        )
        assert "not in the allowedSourceVpces" in other.with_token("SourceVpce::vpce-0badbad0")[0]
        assert check("lp-apigw-sourcevpce-allowlist", type_, dict(props, policy=UNKNOWN)).undecided


def test_no_document_on_the_resource_is_not_applicable():
    outcome = check("lp-apigw-sourcevpce-allowlist", REST_API, dict(API_PROPS))
    assert outcome.not_applicable and not outcome.violations


# --- lp-apigw-private-api-policy (stack) ------------------------------------------------------------------------


def test_private_api_limited_to_named_endpoints_passes():
    api = R(REST_API, "leases-api", dict(API_PROPS, policy=policy_doc(_allow_all(), _deny_unless("vpce-1a2b3c4d"))))
    assert check_stack("lp-apigw-private-api-policy", [api]).passed
    assert check_stack(
        "lp-apigw-private-api-policy", [api], config={"allowedSourceVpces": ["vpce-1a2b3c4d", "vpce-9f8e7d6c"]}
    ).passed


def test_private_api_open_to_everyone_is_caught():
    api = R(REST_API, "leases-api", dict(API_PROPS, policy=policy_doc(_allow_all())))
    outcome = check_stack("lp-apigw-private-api-policy", [api])
    [finding] = outcome.with_token("Principal::*")
    assert finding.startswith("leases-api (RestApi)") and "policy Statement[0]" in finding
    assert outcome.with_token("Condition::aws:SourceVpce")


def test_private_api_without_policy_is_caught_and_its_ids_are_left_to_the_resource_rule():
    bare = R(REST_API, "bare-api", dict(API_PROPS))
    assert check_stack("lp-apigw-private-api-policy", [bare]).with_token("Policy::absent")
    wild = R(REST_API, "leases-api", dict(API_PROPS, policy=policy_doc(_allow_all(), _deny_unless("vpce-*"))))
    assert not check_stack("lp-apigw-private-api-policy", [wild]).with_token("SourceVpce::vpce-*")


def test_policy_from_a_separate_rest_api_policy_resource_counts():
    api = R(REST_API, "leases-api", dict(API_PROPS))
    document = policy_doc(_allow_all(), _deny_unless("vpce-1a2b3c4d"))
    attached = R(
        REST_API_POLICY, "leases-api-policy", {"restApiId": API_ID, "policy": document}, {"restApiId": ["leases-api"]}
    )
    assert check_stack("lp-apigw-private-api-policy", [api, attached]).passed


def test_regional_api_is_out_of_scope_and_unknown_policy_is_undecided():
    regional = R(REST_API, "front-door", {"endpointConfiguration": {"types": "REGIONAL"}})
    assert check_stack("lp-apigw-private-api-policy", [regional]).passed
    unknown = R(REST_API, "leases-api", dict(API_PROPS, policy=UNKNOWN))
    outcome = check_stack("lp-apigw-private-api-policy", [unknown])
    assert outcome.undecided and "leases-api: policy" in outcome.undecided and not outcome.violations


# --- lp-apigw-method-auth (stack) -----------------------------------------------------------------------------


def _method(name, auth="NONE", verb="GET"):
    return R(
        METHOD,
        name,
        {"restApi": API_ID, "resourceId": "r1", "httpMethod": verb, "authorization": auth},
        {"restApi": ["leases-api"]},
    )


def test_open_method_on_a_restricted_private_api_passes():
    api = R(REST_API, "leases-api", dict(API_PROPS, policy=policy_doc(_allow_all(), _deny_unless("vpce-1a2b3c4d"))))
    assert check_stack("lp-apigw-method-auth", [api, _method("get-lease")]).passed


def test_open_method_on_an_unrestricted_or_regional_api_is_caught():
    open_api = R(REST_API, "leases-api", dict(API_PROPS, policy=policy_doc(_allow_all())))
    outcome = check_stack("lp-apigw-method-auth", [open_api, _method("get-lease")])
    [finding] = outcome.with_token("Authorization::NONE")
    assert finding.startswith("get-lease (Method)") and "GET method" in finding
    regional = R(REST_API, "leases-api", {"endpointConfiguration": {"types": "REGIONAL"}})
    assert check_stack("lp-apigw-method-auth", [regional, _method("get-lease")]).with_token("Authorization::NONE")
    iam = check_stack(
        "lp-apigw-method-auth", [regional, _method("get-lease", auth="AWS_IAM"), _method("preflight", verb="OPTIONS")]
    )
    assert iam.passed


def test_method_of_an_api_outside_the_stack_says_it_cannot_decide():
    outcome = check_stack("lp-apigw-method-auth", [_method("get-lease")])
    assert "not in this stack" in outcome.undecided and not outcome.violations


# --- lp-apigw-stage-logging ------------------------------------------------------------------------------------


def test_stage_without_access_logs_and_settings_without_logging():
    assert check("lp-apigw-stage-logging", "aws:apigateway/stage:Stage", {"stageName": "v1"}, name="v1").with_token(
        "AccessLogs::missing"
    )
    outcome = check(
        "lp-apigw-stage-logging",
        "aws:apigateway/methodSettings:MethodSettings",
        {"methodPath": "*/*", "settings": {"dataTraceEnabled": True, "loggingLevel": "OFF"}},
    )
    # Data trace is its own (mandatory) rule, lp-apigw-no-data-trace.
    assert outcome.with_token("LoggingLevel::OFF") and not outcome.with_token("DataTrace::true")


def test_stage_with_access_logs_and_error_logging_passes():
    assert check(
        "lp-apigw-stage-logging",
        "aws:apigateway/stage:Stage",
        {
            "accessLogSettings": {
                "destinationArn": "arn:aws:logs:us-east-1:1:log-group:api",
                "format": "$context.requestId",
            }
        },
    ).passed
    assert check(
        "lp-apigw-stage-logging",
        "aws:apigateway/methodSettings:MethodSettings",
        {"settings": {"loggingLevel": "ERROR", "metricsEnabled": True}},
    ).passed


# --- lp-apigw-tls-policy -----------------------------------------------------------------------------------------


def test_domain_with_tls_1_0_or_unset_is_caught_tls_1_2_passes():
    domain = "aws:apigateway/domainName:DomainName"
    assert check(
        "lp-apigw-tls-policy", domain, {"domainName": "api.example.com", "securityPolicy": "TLS_1_0"}, name="api-domain"
    ).with_token("SecurityPolicy::TLS_1_0")
    assert check("lp-apigw-tls-policy", domain, {"domainName": "api.example.com"}).with_token("SecurityPolicy::unset")
    assert check("lp-apigw-tls-policy", domain, {"domainName": "api.example.com", "securityPolicy": "TLS_1_2"}).passed
    assert check(
        "lp-apigw-tls-policy",
        domain,
        {"domainName": "api.example.com", "securityPolicy": "SecurityPolicy_TLS13_1_3_2025_09"},
    ).passed
    assert check("lp-apigw-tls-policy", REST_API, {"name": "x"}).passed


def test_mutual_tls_required_for_listed_domains():
    domain = "aws:apigatewayv2/domainName:DomainName"
    props = {"domainName": "mtls.example.com", "domainNameConfiguration": {"securityPolicy": "TLS_1_2"}}
    config = {"requireMutualTlsFor": ["mtls.*"]}
    assert check("lp-apigw-tls-policy", domain, props, config=config).with_token("MutualTls::missing")
    props["mutualTlsAuthentication"] = {"truststoreUri": "s3://truststore/ca.pem"}
    assert check("lp-apigw-tls-policy", domain, props, config=config).passed

"""API Gateway (REST): APIs, resources, methods, integrations, stages, VPC links, custom
domains, usage plans, keys."""

from __future__ import annotations

import json

from .registry import Ctx, aws_type, published_zone_id

_APIGW_REGIONAL_ZONE_IDS = {
    "us-east-1": "Z1UJRXOUMOOFQ8",
    "us-east-2": "ZOJJZC49E0EPZ",
    "us-west-1": "Z2MUQ32089INYE",
    "us-west-2": "Z2OJLYMUO9EFXC",
    "eu-west-1": "ZLY8HYME6SFDD",
    "eu-central-1": "Z1U9ULNL0V5AJ3",
    "ap-southeast-2": "Z2RPCDW04V8134",
    "ap-northeast-1": "Z1YSHQZHG15GKL",
}


_CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"


def _apigw_arn(c: Ctx, path: str) -> str:
    return f"arn:{c.partition}:apigateway:{c.region}::{path}"


@aws_type("aws:apigateway/restApi:RestApi", name="name")
def _rest_api(c: Ctx):
    api_id = c.lower(10)
    return api_id, {
        "arn": _apigw_arn(c, f"/restapis/{api_id}"),
        "rootResourceId": c.lower(10, "root"),
        "executionArn": c.arn("execute-api", api_id),
        "createdDate": "2024-01-01T00:00:00Z",
    }


@aws_type("aws:apigateway/resource:Resource")
def _apigw_resource(c: Ctx):
    part = c.get("pathPart", "")
    return c.lower(6), {"path": f"/{part}"}


@aws_type("aws:apigateway/method:Method")
def _apigw_method(c: Ctx):
    return f"agm-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}", {}


@aws_type("aws:apigateway/integration:Integration")
def _apigw_integration(c: Ctx):
    return f"agi-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}", {
        "timeoutMilliseconds": c.get("timeoutMilliseconds", 29000)
    }


@aws_type("aws:apigateway/methodResponse:MethodResponse")
def _apigw_method_response(c: Ctx):
    return f"agmr-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}-{c.get('statusCode')}", {}


@aws_type("aws:apigateway/integrationResponse:IntegrationResponse")
def _apigw_integration_response(c: Ctx):
    return f"agir-{c.get('restApi')}-{c.get('resourceId')}-{c.get('httpMethod')}-{c.get('statusCode')}", {}


@aws_type("aws:apigateway/deployment:Deployment")
def _apigw_deployment(c: Ctx):
    return c.lower(6), {"createdDate": "2024-01-01T00:00:00Z"}


@aws_type("aws:apigateway/stage:Stage")
def _apigw_stage(c: Ctx):
    api = c.get("restApi", "api")
    stage = c.get("stageName", "stage")
    return f"ags-{api}-{stage}", {
        "arn": _apigw_arn(c, f"/restapis/{api}/stages/{stage}"),
        "invokeUrl": f"https://{api}.execute-api.{c.region}.amazonaws.com/{stage}",
        "executionArn": c.arn("execute-api", f"{api}/{stage}"),
    }


@aws_type("aws:apigateway/restApiPolicy:RestApiPolicy")
def _apigw_policy(c: Ctx):
    return c.get("restApiId", c.name), {}


@aws_type("aws:apigateway/vpcLink:VpcLink", name="name")
def _apigw_vpc_link(c: Ctx):
    link = c.lower(6)
    return link, {"arn": _apigw_arn(c, f"/vpclinks/{link}")}


@aws_type("aws:apigateway/domainName:DomainName")
def _apigw_domain(c: Ctx):
    domain = c.get("domainName", c.name)
    regional = c.get("regionalCertificateArn") is not None or "REGIONAL" in json.dumps(
        c.get("endpointConfiguration", {})
    )
    out = {
        "arn": _apigw_arn(c, f"/domainnames/{domain}"),
        "certificateUploadDate": "2024-01-01T00:00:00Z",
        "domainNameId": c.lower(10),
    }
    if regional:
        out.update(
            {
                "regionalDomainName": f"d-{c.lower(10)}.execute-api.{c.region}.amazonaws.com",
                "regionalZoneId": published_zone_id(_APIGW_REGIONAL_ZONE_IDS, c.region, "apigw"),
            }
        )
    else:
        out.update({"cloudfrontDomainName": f"d{c.lower(13)}.cloudfront.net", "cloudfrontZoneId": _CLOUDFRONT_ZONE_ID})
    return domain, out


@aws_type("aws:apigateway/basePathMapping:BasePathMapping")
def _apigw_bpm(c: Ctx):
    return f"{c.get('domainName')}/{c.get('basePath', '')}", {}


@aws_type("aws:apigateway/domainNameAccessAssociation:DomainNameAccessAssociation")
def _apigw_dnaa(c: Ctx):
    arn = _apigw_arn(c, f"/domainnameaccessassociations/{c.lower(10)}")
    return arn, {"arn": arn}


@aws_type("aws:apigateway/account:Account", global_=False)
def _apigw_account(c: Ctx):
    return "api-gateway-account", {"throttleSettings": [{"burstLimit": 5000, "rateLimit": 10000}]}


@aws_type("aws:apigateway/usagePlan:UsagePlan", name="name")
def _apigw_usage_plan(c: Ctx):
    plan = c.lower(6)
    return plan, {"arn": _apigw_arn(c, f"/usageplans/{plan}")}


@aws_type("aws:apigateway/apiKey:ApiKey", name="name")
def _apigw_api_key(c: Ctx):
    key = c.lower(10)
    return key, {"arn": _apigw_arn(c, f"/apikeys/{key}"), "value": c.alnum(40)}

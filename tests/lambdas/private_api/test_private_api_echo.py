"""The private API's integration: echoes the request as API Gateway delivered it."""

from __future__ import annotations

import json

from lambdas.private_api_echo import handler as echo_handler


def rest_event(**overrides):
    event = {
        "resource": "/{proxy+}",
        "path": "/widgets/42",
        "httpMethod": "GET",
        "headers": {
            "Host": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "Authorization": "Bearer secret-token",
            "cookie": "session=abc",
            "X-Client-Cert-Subject": "CN=orders-service,O=blueprints",
        },
        "queryStringParameters": {"colour": "blue"},
        "requestContext": {
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "apiId": "a1b2c3d4e5",
            "accountId": "111111111111",
            "stage": "dev",
            "domainName": "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "identity": {
                "sourceIp": "10.0.1.25",
                "vpceId": "vpce-0a1b2c3d4e5f60718",
                "vpcId": "vpc-0123456789abcdef0",
                "userAgent": "private-api-caller/1",
                "accessKey": None,
            },
        },
        "body": None,
        "isBase64Encoded": False,
    }
    event.update(overrides)
    return event


def test_echo_returns_the_path_the_request_came_through(lambda_context):
    response = echo_handler.handler(rest_event(), lambda_context)

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == "application/json"
    body = json.loads(response["body"])
    assert body["method"] == "GET" and body["path"] == "/widgets/42"
    assert body["queryStringParameters"] == {"colour": "blue"}
    assert body["requestContext"]["stage"] == "dev"
    assert body["requestContext"]["apiId"] == "a1b2c3d4e5"
    identity = body["requestContext"]["identity"]
    assert identity == {
        "sourceIp": "10.0.1.25",
        "vpceId": "vpce-0a1b2c3d4e5f60718",
        "vpcId": "vpc-0123456789abcdef0",
        "userAgent": "private-api-caller/1",
    }
    assert body["headers"]["X-Client-Cert-Subject"] == "CN=orders-service,O=blueprints"


def test_credentials_in_headers_are_never_echoed(lambda_context):
    response = echo_handler.handler(rest_event(), lambda_context)

    assert "secret-token" not in response["body"] and "session=abc" not in response["body"]
    headers = json.loads(response["body"])["headers"]
    assert headers["Authorization"] == "***" and headers["cookie"] == "***"


def test_large_bodies_are_truncated_and_say_so(lambda_context):
    big = "x" * (echo_handler.MAX_ECHOED_BODY_CHARS + 100)
    body = json.loads(echo_handler.handler(rest_event(httpMethod="POST", body=big), lambda_context)["body"])
    assert body["bodyTruncated"] is True
    assert len(body["body"]) == echo_handler.MAX_ECHOED_BODY_CHARS

    small = json.loads(echo_handler.handler(rest_event(httpMethod="POST", body='{"a": 1}'), lambda_context)["body"])
    assert small["body"] == '{"a": 1}' and small["bodyTruncated"] is False


def test_an_event_that_is_not_from_api_gateway_gets_a_400(lambda_context):
    response = echo_handler.handler({"hello": "world"}, lambda_context)
    assert response["statusCode"] == 400
    assert "not an API Gateway REST proxy event" in json.loads(response["body"])["message"]


def test_missing_optional_parts_do_not_break_the_echo(lambda_context):
    event = rest_event(headers=None, queryStringParameters=None)
    event["requestContext"] = {"stage": "dev"}
    body = json.loads(echo_handler.handler(event, lambda_context)["body"])
    assert body["headers"] == {} and body["queryStringParameters"] == {}
    assert body["requestContext"] == {"stage": "dev", "identity": {}}

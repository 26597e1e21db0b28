"""Private API integration: answers with the request as API Gateway delivered it.

Consumers use the answer to prove which path they came through: the execute-api VPC
endpoint (`identity.vpceId`), the source VPC, the stage, and any headers a proxy added
(the mTLS proxy forwards the verified client certificate subject).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger

logger = Logger()

# Credentials must never come back in a response or land in logs.
REDACTED_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key", "x-amz-security-token"})
REDACTED = "***"
# API Gateway caps Lambda proxy payloads at 6 MB; an echo never needs the whole body.
MAX_ECHOED_BODY_CHARS = 4096

_IDENTITY_FIELDS = ("sourceIp", "vpceId", "vpcId", "userAgent", "accountId", "caller", "userArn")
_CONTEXT_FIELDS = (
    "requestId",
    "extendedRequestId",
    "apiId",
    "accountId",
    "stage",
    "domainName",
    "domainPrefix",
    "requestTime",
    "requestTimeEpoch",
    "protocol",
)


def _redact(headers: dict[str, Any] | None) -> dict[str, Any]:
    return {name: (REDACTED if name.lower() in REDACTED_HEADERS else value) for name, value in (headers or {}).items()}


def _response(status: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(payload, sort_keys=True),
    }


def echo(event: dict[str, Any]) -> dict[str, Any]:
    """The part of a REST API proxy event worth showing back to the caller."""
    context = event.get("requestContext")
    if not isinstance(context, dict) or "httpMethod" not in event:
        raise ValueError("not an API Gateway REST proxy event: requestContext/httpMethod missing")
    identity = context.get("identity") or {}
    body = event.get("body")
    truncated = isinstance(body, str) and len(body) > MAX_ECHOED_BODY_CHARS
    return {
        "method": event["httpMethod"],
        "path": event.get("path"),
        "resource": event.get("resource"),
        "queryStringParameters": event.get("queryStringParameters") or {},
        "headers": _redact(event.get("headers")),
        "requestContext": {
            **{key: context[key] for key in _CONTEXT_FIELDS if key in context},
            "identity": {key: identity[key] for key in _IDENTITY_FIELDS if identity.get(key)},
        },
        "body": body[:MAX_ECHOED_BODY_CHARS] if truncated else body,
        "bodyTruncated": truncated,
        "isBase64Encoded": bool(event.get("isBase64Encoded")),
    }


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        payload = echo(event)
    except ValueError as error:
        logger.warning("rejected event", extra={"reason": str(error)})
        return _response(400, {"message": str(error)})
    logger.info(
        "echo",
        extra={
            "method": payload["method"],
            "path": payload["path"],
            "vpceId": payload["requestContext"]["identity"].get("vpceId"),
            "requestId": payload["requestContext"].get("requestId"),
        },
    )
    return _response(200, payload)

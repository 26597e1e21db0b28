"""Consumer Lambda in a VPC: calls a private REST API through the execute-api VPC endpoint.

Environment:
  API_URL                  stage base URL, e.g. https://{api-id}.execute-api.{region}.amazonaws.com/dev
                           (private DNS on) or https://{api-id}-{vpce-id}.execute-api.{region}.amazonaws.com/dev
                           (the endpoint-specific alias, works with private DNS off)
  API_ID                   optional; sent as x-apigw-api-id, needed when API_URL names the endpoint itself
  API_PATH                 default path when the event gives none (default "/")
  CONNECT_TIMEOUT_SECONDS  TCP + TLS handshake limit (default 3)
  READ_TIMEOUT_SECONDS     limit for the answer (default 10; API Gateway stops integrations at 29)
  MAX_ATTEMPTS             tries for idempotent methods on timeouts, 429 and 502-504 (default 2)
  CA_BUNDLE                optional CA file instead of the system roots

Event (all optional): {"path": "/widgets", "method": "GET", "query": {...}, "headers": {...}, "body": ...}
Returns {"statusCode", "headers", "body", "url", "attempts"} for a 2xx answer; raises a CallerError
subclass with a message naming what to check otherwise.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from aws_lambda_powertools import Logger

from . import http_call
from .errors import (
    BadRequestError,
    CallerConfigError,
    CallerError,
    PrivateApiDeniedError,
    PrivateApiHttpError,
    PrivateApiTimeoutError,
    PrivateApiUnreachableError,
)

logger = Logger()

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
ALLOWED_METHODS = IDEMPOTENT_METHODS | {"POST", "PATCH"}
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Lambda responses are capped at 6 MB; keep room for the envelope.
MAX_RESPONSE_BYTES = 5 * 1024 * 1024
# Stop this long before Lambda would kill the invocation, so the error is ours and readable.
DEADLINE_MARGIN_SECONDS = 0.5
BACKOFF_SECONDS = 0.1
# Headers a caller may not set: hop-by-hop, routing and length are ours to decide.
FORBIDDEN_HEADERS = frozenset(
    {"host", "connection", "content-length", "transfer-encoding", "x-apigw-api-id", "upgrade", "te", "trailer"}
)
_PATH_RE = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$")
_HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_API_ID_RE = re.compile(r"^[a-z0-9]{10}$")


@dataclass(frozen=True)
class Settings:
    api_url: str
    api_id: str | None
    default_path: str
    connect_timeout: float
    read_timeout: float
    max_attempts: int
    ca_bundle: str | None

    @classmethod
    def from_env(cls, env: dict[str, str] | os._Environ[str] = os.environ) -> Settings:
        problems: list[str] = []
        api_url = env.get("API_URL", "").rstrip("/")
        parts = urlsplit(api_url)
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            problems.append(f"API_URL={api_url!r}: expected https://host[/stage] with no query")
        api_id = env.get("API_ID") or None
        if api_id is not None and not _API_ID_RE.match(api_id):
            problems.append(f"API_ID={api_id!r}: expected a 10-character REST API id")
        default_path = env.get("API_PATH", "/")
        if not _PATH_RE.match(default_path) or default_path.startswith("//"):
            problems.append(f"API_PATH={default_path!r}: expected a path starting with /")

        def number(name: str, default: float, low: float, high: float) -> float:
            raw = env.get(name)
            if raw is None or raw == "":
                return default
            try:
                value = float(raw)
            except ValueError:
                value = float("nan")
            if not low <= value <= high:
                problems.append(f"{name}={raw!r}: expected a number from {low:g} to {high:g}")
                return default
            return value

        connect_timeout = number("CONNECT_TIMEOUT_SECONDS", 3.0, 0.1, 30)
        read_timeout = number("READ_TIMEOUT_SECONDS", 10.0, 0.1, 60)
        max_attempts = number("MAX_ATTEMPTS", 2, 1, 5)
        if max_attempts != int(max_attempts):
            problems.append(f"MAX_ATTEMPTS={env.get('MAX_ATTEMPTS')!r}: expected a whole number")
        ca_bundle = env.get("CA_BUNDLE") or None
        if ca_bundle is not None and not os.path.isfile(ca_bundle):
            problems.append(f"CA_BUNDLE={ca_bundle!r}: no such file")
        if problems:
            raise CallerConfigError("bad configuration: " + "; ".join(problems))
        return cls(api_url, api_id, default_path, connect_timeout, read_timeout, int(max_attempts), ca_bundle)


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


def build_request(event: dict[str, Any] | None, settings: Settings) -> Request:
    event = event or {}
    if not isinstance(event, dict):
        raise BadRequestError(f"event must be a JSON object, got {type(event).__name__}")
    method = str(event.get("method", "GET")).upper()
    if method not in ALLOWED_METHODS:
        raise BadRequestError(f"method {method!r} not allowed; use one of {sorted(ALLOWED_METHODS)}")
    path = event.get("path", settings.default_path)
    # Only a path is accepted, so an event can never steer the call to another host.
    if not isinstance(path, str) or not _PATH_RE.match(path) or path.startswith("//"):
        raise BadRequestError(f"path {path!r} must be an absolute path like /widgets (no host, query or fragment)")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise BadRequestError(f"path {path!r} must not contain . or .. segments")
    query = event.get("query") or {}
    if not isinstance(query, dict):
        raise BadRequestError("query must be an object of name to value")
    url = settings.api_url + path + ("?" + urlencode(query, doseq=True) if query else "")

    headers = {"Accept": "application/json", "User-Agent": "private-api-caller/1"}
    for name, value in (event.get("headers") or {}).items():
        if not _HEADER_NAME_RE.match(str(name)) or name.lower() in FORBIDDEN_HEADERS:
            raise BadRequestError(f"header {name!r} may not be set by the event")
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            raise BadRequestError(f"header {name!r} needs a single-line string value")
        headers[name] = value
    if settings.api_id:
        headers["x-apigw-api-id"] = settings.api_id

    body = event.get("body")
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    return Request(method, url, headers, body.encode() if body is not None else None)


def _decode(body: bytes, content_type: str) -> Any:
    text = body.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return text


def call(request: Request, settings: Settings, remaining_seconds=lambda: float("inf")) -> dict[str, Any]:
    """Send the request, retrying idempotent ones on transient failures, within the deadline."""
    context = http_call.tls_context(settings.ca_bundle)
    attempts = settings.max_attempts if request.method in IDEMPOTENT_METHODS else 1
    last_error: CallerError | None = None
    for attempt in range(1, attempts + 1):
        budget = remaining_seconds() - DEADLINE_MARGIN_SECONDS
        if budget <= 0.1:
            break
        try:
            response = http_call.send(
                request.method,
                request.url,
                headers=request.headers,
                body=request.body,
                connect_timeout=min(settings.connect_timeout, budget),
                read_timeout=min(settings.read_timeout, budget),
                context=context,
                max_body_bytes=MAX_RESPONSE_BYTES,
            )
        except (PrivateApiTimeoutError, PrivateApiUnreachableError) as error:
            last_error = error
            logger.warning("attempt failed", extra={"attempt": attempt, "error": str(error)})
        else:
            text_excerpt = response.body[:500].decode("utf-8", errors="replace")
            if 200 <= response.status < 300:
                return {
                    "statusCode": response.status,
                    "headers": {
                        k: v
                        for k, v in response.headers.items()
                        if k in ("content-type", "x-amzn-requestid", "x-amz-apigw-id")
                    },
                    "body": _decode(response.body, response.headers.get("content-type", "")),
                    "url": request.url,
                    "attempts": attempt,
                }
            if response.status == 403:
                raise PrivateApiDeniedError(
                    f"{request.method} {request.url} refused with 403: {text_excerpt!r}. "
                    "Check that the API resource policy lists this VPC endpoint in aws:SourceVpce, "
                    "that the endpoint policy allows this API, and that the stage and path exist.",
                    response.status,
                    text_excerpt,
                )
            last_error = PrivateApiHttpError(
                f"{request.method} {request.url} answered {response.status}: {text_excerpt!r}",
                response.status,
                text_excerpt,
            )
            if response.status not in RETRY_STATUSES:
                raise last_error
            logger.warning("attempt failed", extra={"attempt": attempt, "status": response.status})
        if attempt < attempts:
            time.sleep(min(BACKOFF_SECONDS * attempt, max(remaining_seconds() - 1, 0)))
    if last_error is None:
        raise PrivateApiTimeoutError(f"{request.method} {request.url} not attempted: the invocation has no time left")
    raise last_error


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    settings = Settings.from_env()
    request = build_request(event, settings)
    logger.info("calling private API", extra={"method": request.method, "url": request.url})
    result = call(request, settings, remaining_seconds=lambda: context.get_remaining_time_in_millis() / 1000)
    logger.info("private API answered", extra={"status": result["statusCode"], "attempts": result["attempts"]})
    return result

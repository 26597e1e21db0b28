"""The consumer-VPC Lambda against a local HTTPS server standing in for the private API."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from lambdas.private_api_caller import handler as caller
from lambdas.private_api_caller.errors import (
    BadRequestError,
    CallerConfigError,
    PrivateApiDeniedError,
    PrivateApiHttpError,
    PrivateApiTimeoutError,
    PrivateApiTlsError,
    PrivateApiUnreachableError,
    ResponseTooLargeError,
)


@pytest.fixture
def env(monkeypatch, private_api):
    values = {
        "API_URL": private_api.base_url,
        "CA_BUNDLE": str(private_api.ca_file),
        "CONNECT_TIMEOUT_SECONDS": "2",
        "READ_TIMEOUT_SECONDS": "2",
    }
    for name in ("API_ID", "API_PATH", "MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_get_reaches_the_api_stage_and_returns_its_answer(env, private_api, lambda_context):
    result = caller.handler({"path": "/widgets", "query": {"colour": "blue"}}, lambda_context)

    assert result["statusCode"] == 200 and result["attempts"] == 1
    assert result["url"] == f"{private_api.base_url}/widgets?colour=blue"
    assert result["body"]["path"] == "/dev/widgets?colour=blue"
    assert result["headers"]["x-amzn-requestid"] == "req-123"
    assert private_api.requests[-1]["headers"]["host"] == f"localhost:{private_api.port}"


def test_api_id_header_is_sent_when_calling_through_the_endpoint_name(env, private_api, lambda_context):
    env.setenv("API_ID", "a1b2c3d4e5")
    caller.handler({}, lambda_context)
    assert private_api.requests[-1]["headers"]["x-apigw-api-id"] == "a1b2c3d4e5"
    assert private_api.requests[-1]["path"] == "/dev/"


def test_post_sends_a_json_body(env, private_api, lambda_context):
    result = caller.handler({"method": "post", "path": "/orders", "body": {"item": 7}}, lambda_context)
    seen = private_api.requests[-1]
    assert result["statusCode"] == 200
    assert seen["method"] == "POST" and seen["body"] == '{"item": 7}'
    assert seen["headers"]["content-type"] == "application/json"


def test_text_answers_come_back_as_text(env, lambda_context):
    assert caller.handler({"path": "/text"}, lambda_context)["body"] == "plain words"


def test_a_resource_policy_denial_says_what_to_check(env, lambda_context):
    with pytest.raises(PrivateApiDeniedError) as denied:
        caller.handler({"path": "/deny"}, lambda_context)
    assert denied.value.status == 403
    assert "explicit deny" in str(denied.value)
    assert "aws:SourceVpce" in str(denied.value)


def test_idempotent_calls_are_retried_once_on_503(env, private_api, lambda_context):
    result = caller.handler({"path": "/flaky"}, lambda_context)
    assert result["statusCode"] == 200 and result["attempts"] == 2
    assert len(private_api.requests) == 2


def test_post_is_not_retried(env, private_api, lambda_context):
    with pytest.raises(PrivateApiHttpError) as failed:
        caller.handler({"method": "POST", "path": "/flaky", "body": "{}"}, lambda_context)
    assert failed.value.status == 503
    assert len(private_api.requests) == 1


def test_server_errors_are_raised_with_status_and_body(env, private_api, lambda_context):
    with pytest.raises(PrivateApiHttpError, match="answered 500") as failed:
        caller.handler({"path": "/broken"}, lambda_context)
    assert "Internal server error" in failed.value.body
    assert len(private_api.requests) == 1  # 500 is not transient


def test_a_slow_api_times_out_with_a_clear_message(env, private_api, lambda_context):
    env.setenv("READ_TIMEOUT_SECONDS", "0.5")
    env.setenv("MAX_ATTEMPTS", "1")
    with pytest.raises(PrivateApiTimeoutError, match="no answer within 0.5 s"):
        caller.handler({"path": "/slow"}, lambda_context)


def test_the_lambda_deadline_caps_the_wait(env, private_api, lambda_context):
    env.setenv("READ_TIMEOUT_SECONDS", "20")
    lambda_context.remaining_seconds = 1.2
    started = time.monotonic()
    with pytest.raises(PrivateApiTimeoutError):
        caller.handler({"path": "/slow"}, lambda_context)
    # Well before the 3 s the server takes and the 20 s read timeout: the invocation's own end.
    assert time.monotonic() - started < 2.5


def test_an_untrusted_certificate_is_a_tls_error(env, lambda_context):
    env.delenv("CA_BUNDLE")
    with pytest.raises(PrivateApiTlsError, match="certificate not trusted"):
        caller.handler({}, lambda_context)


def test_nothing_listening_is_reported_as_unreachable(env, lambda_context):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    env.setenv("API_URL", f"https://localhost:{closed_port}/dev")
    with pytest.raises(PrivateApiUnreachableError, match=f"cannot connect to localhost:{closed_port}"):
        caller.handler({}, lambda_context)


def test_a_silent_endpoint_times_out_during_the_handshake(env, lambda_context):
    # Accepts TCP but never speaks TLS, like a security group that drops the return traffic.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    env.setenv("API_URL", f"https://localhost:{listener.getsockname()[1]}/dev")
    env.setenv("CONNECT_TIMEOUT_SECONDS", "0.3")
    env.setenv("MAX_ATTEMPTS", "1")
    try:
        with pytest.raises(PrivateApiTimeoutError, match="no connection to localhost:.* within 0.3 s"):
            caller.handler({}, lambda_context)
    finally:
        listener.close()
        for connection, _ in accepted:
            connection.close()


def test_an_unresolvable_name_points_at_private_dns(env, lambda_context, monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    env.setenv("API_URL", "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev")
    with pytest.raises(PrivateApiUnreachableError, match="cannot resolve .*private DNS"):
        caller.handler({}, lambda_context)


def test_an_answer_too_big_for_lambda_is_refused(env, lambda_context):
    with pytest.raises(ResponseTooLargeError):
        caller.handler({"path": "/big"}, lambda_context)


@pytest.mark.parametrize(
    "event, expected",
    [
        ({"path": "//evil.example.com/x"}, "absolute path"),
        ({"path": "https://evil.example.com/"}, "absolute path"),
        ({"path": "/a/../../admin"}, ". or .. segments"),
        ({"path": "/widgets?x=1"}, "absolute path"),
        ({"method": "TRACE"}, "not allowed"),
        ({"headers": {"Host": "other.example.com"}}, "may not be set"),
        ({"headers": {"x-apigw-api-id": "zzzzzzzzzz"}}, "may not be set"),
        ({"headers": {"X-Note": "a\r\nInjected: 1"}}, "single-line"),
        ({"query": ["a"]}, "query must be an object"),
    ],
)
def test_events_cannot_steer_the_call_elsewhere(env, private_api, lambda_context, event, expected):
    with pytest.raises(BadRequestError, match=expected):
        caller.handler(event, lambda_context)
    assert private_api.requests == []


def test_bad_configuration_lists_every_problem(monkeypatch, lambda_context):
    monkeypatch.setenv("API_URL", "http://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev")
    monkeypatch.setenv("API_ID", "NOT-AN-ID")
    monkeypatch.setenv("READ_TIMEOUT_SECONDS", "forever")
    monkeypatch.setenv("MAX_ATTEMPTS", "2.5")
    monkeypatch.setenv("CA_BUNDLE", "/nonexistent/ca.pem")
    with pytest.raises(CallerConfigError) as bad:
        caller.handler({}, lambda_context)
    message = str(bad.value)
    for name in ("API_URL=", "API_ID=", "READ_TIMEOUT_SECONDS=", "MAX_ATTEMPTS=", "CA_BUNDLE="):
        assert name in message

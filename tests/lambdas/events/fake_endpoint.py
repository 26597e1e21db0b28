"""A local fake of the EventBridge global endpoint, with injected failures.

moto cannot serve PutEvents with an EndpointId (the request goes to
``<id>.endpoint.events.amazonaws.com``, which it answers with 404 "Not yet implemented"), so this
fake answers those calls itself. It hooks ``before-send`` on a *real* botocore client: parameter
validation, serialisation, SigV4a signing (awscrt) and response parsing all run for real; only the
network hop is replaced. Also used by ``benchmarks/bench_event_producer.py``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

THROTTLE = "throttle"  # HTTP 400 ThrottlingException for the whole call
SERVER_ERROR = "server_error"  # HTTP 500 InternalException
ACCESS_DENIED = "access_denied"  # HTTP 400 AccessDeniedException (not retryable)
DEAD = "dead"  # connection refused: the Region does not answer
TIMEOUT_AFTER_ACCEPT = "timeout_after_accept"  # accepted, but the response never arrives


class _RawBody:
    def __init__(self, body: bytes):
        self._body = body

    def stream(self, **_: Any):
        yield self._body


def json_response(url: str, status: int, payload: dict[str, Any]) -> AWSResponse:
    body = json.dumps(payload).encode()
    headers = {"x-amzn-requestid": str(uuid.uuid4()), "content-type": "application/x-amz-json-1.1"}
    return AWSResponse(url, status, headers, _RawBody(body))


@dataclass
class Call:
    url: str
    headers: dict[str, str]
    endpoint_id: str | None
    entries: list[dict[str, Any]]
    outcome: str


@dataclass
class FakeEventBridge:
    """Answers PutEvents. Failure injection, in order of precedence:

    - ``call_outcomes``: queue of per-call outcomes (THROTTLE, DEAD, ...; None = normal);
    - ``dead``: every call fails to connect while True;
    - ``call_failure_rate``: probability that a call fails as a whole (throttled or 5xx);
    - ``fail_entry``: function(entry, call_number) -> error code or None;
    - ``entry_failure_rate``: probability that an entry fails with one of ``entry_failure_codes``.
    """

    seed: int = 0
    entry_failure_rate: float = 0.0
    entry_failure_codes: tuple[str, ...] = ("ThrottlingException", "InternalFailure")
    call_failure_rate: float = 0.0
    call_outcomes: deque = field(default_factory=deque)
    fail_entry: Callable[[dict[str, Any], int], str | None] | None = None
    dead: bool = False
    region: str = "us-east-1"
    calls: list[Call] = field(default_factory=list)
    accepted: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def attach(self, client: Any) -> Any:
        client.meta.events.register_first("before-send.events.PutEvents", self._handle)
        return client

    def accepted_details(self) -> list[dict[str, Any]]:
        return [json.loads(e["Detail"]) for e in self.accepted]

    def _handle(self, request: Any, **_: Any) -> AWSResponse:
        body = json.loads(request.body)
        outcome = self.call_outcomes.popleft() if self.call_outcomes else None
        if outcome is None and self.dead:
            outcome = DEAD
        if outcome is None and self.call_failure_rate and self._rng.random() < self.call_failure_rate:
            outcome = self._rng.choice([THROTTLE, SERVER_ERROR, DEAD])
        headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
        self.calls.append(Call(request.url, headers, body.get("EndpointId"), body["Entries"], outcome or "ok"))
        if outcome == DEAD:
            raise EndpointConnectionError(endpoint_url=request.url)
        if outcome == THROTTLE:
            return json_response(request.url, 400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
        if outcome == SERVER_ERROR:
            return json_response(request.url, 500, {"__type": "InternalException", "message": "injected"})
        if outcome == ACCESS_DENIED:
            return json_response(request.url, 400, {"__type": "AccessDeniedException", "message": "injected"})
        results, failed = [], 0
        for entry in body["Entries"]:
            code = self._entry_error(entry)
            if code:
                failed += 1
                results.append({"ErrorCode": code, "ErrorMessage": "injected failure"})
            else:
                event_id = str(uuid.uuid4())
                self.accepted.append({**entry, "EventId": event_id, "region": self.region})
                results.append({"EventId": event_id})
        if outcome == TIMEOUT_AFTER_ACCEPT:
            raise ReadTimeoutError(endpoint_url=request.url)
        return json_response(request.url, 200, {"FailedEntryCount": failed, "Entries": results})

    def _entry_error(self, entry: dict[str, Any]) -> str | None:
        if self.fail_entry is not None:
            code = self.fail_entry(entry, len(self.calls))
            if code:
                return code
        if self.entry_failure_rate and self._rng.random() < self.entry_failure_rate:
            return self._rng.choice(self.entry_failure_codes)
        return None


def break_sqs_sends(client: Any, *, outcome: str = DEAD, sender_fault: bool = False) -> list[int]:
    """Make SendMessageBatch on this SQS client fail; returns a list counting the calls.

    ``outcome`` DEAD: connection error; "partial": every entry reported in ``Failed``.
    """
    calls: list[int] = []

    def handle(request: Any, **_: Any) -> AWSResponse:
        calls.append(1)
        if outcome == DEAD:
            raise EndpointConnectionError(endpoint_url=request.url)
        body = json.loads(request.body)
        return json_response(
            request.url,
            200,
            {
                "Successful": [],
                "Failed": [
                    {"Id": e["Id"], "SenderFault": sender_fault, "Code": "InternalError", "Message": "injected"}
                    for e in body["Entries"]
                ],
            },
        )

    client.meta.events.register_first("before-send.sqs.SendMessageBatch", handle)
    return calls

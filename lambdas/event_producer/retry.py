"""Exponential backoff with full jitter, and which failures are worth retrying."""

from __future__ import annotations

import random
from dataclasses import dataclass

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

# Per-entry PutEvents error codes that a later attempt can cure. The API reference lists
# InternalFailure and ThrottlingException as the retryable ones; everything it calls
# non-retryable (AccessDeniedException, InvalidArgument, MalformedDetail, ...) is not in here.
# An unknown code is treated as retryable: a wasted retry costs less than a wrong give-up,
# and the entry is buffered either way.
NON_RETRYABLE_ENTRY_ERRORS = frozenset(
    {
        "AccessDeniedException",
        "InvalidAccountIdException",
        "InvalidArgument",
        "MalformedDetail",
        "NotAuthorizedForDetailTypeException",
        "NotAuthorizedForSourceException",
        "RedactionFailure",
    }
)

# Whole-call error codes that say "try again later" whatever the HTTP status.
RETRYABLE_CALL_ERRORS = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "InternalException",
        "InternalFailure",
        "InternalError",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
        "IDPCommunicationError",
        # SQS
        "AWS.SimpleQueueService.InternalError",
        "KmsThrottled",
    }
)

# Transport failures: the Region (or our network path to it) is not answering. A read timeout
# may hide a request that was in fact accepted; retrying it can duplicate the event, which is
# why consumers are idempotent. Losing it would be worse.
TRANSPORT_ERRORS = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)


def is_retryable_entry_error(code: str) -> bool:
    return code not in NON_RETRYABLE_ENTRY_ERRORS


def describe_call_error(error: Exception) -> tuple[str, bool]:
    """(error code, retryable) for an exception raised by a whole API call."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code") or "ClientError"
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return code, code in RETRYABLE_CALL_ERRORS or status >= 500 or status == 429
    if isinstance(error, TRANSPORT_ERRORS):
        return type(error).__name__, True
    return type(error).__name__, False


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try, and how long to wait between tries.

    The wait before retry ``n`` (1-based) is uniform in ``[0, min(max_delay, base_delay * 2**(n-1))]``
    ("full jitter"): producers that failed together do not retry in lock-step.
    """

    max_attempts: int = 6
    base_delay: float = 0.1
    max_delay: float = 5.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("base_delay and max_delay must not be negative")
        if self.max_delay < self.base_delay:
            raise ValueError(f"max_delay ({self.max_delay}) must be at least base_delay ({self.base_delay})")

    def ceiling(self, retry_number: int) -> float:
        return min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))

    def delay(self, retry_number: int, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ceiling(retry_number))

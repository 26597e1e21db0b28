"""Failures of a call to the private API, each with a message that says what to check."""

from __future__ import annotations


class CallerError(Exception):
    """Base class: the invocation failed and the message says why."""


class CallerConfigError(CallerError, ValueError):
    """The function's environment is wrong (a deployment problem, not a transient one)."""


class BadRequestError(CallerError, ValueError):
    """The invocation event asks for something this function will not send."""


class PrivateApiTimeoutError(CallerError):
    """No connection or no answer within the configured time."""


class PrivateApiUnreachableError(CallerError):
    """DNS or TCP failed: the endpoint name does not resolve or nothing answers on 443."""


class PrivateApiTlsError(CallerError):
    """The TLS handshake failed (untrusted certificate, wrong name, protocol mismatch)."""


class PrivateApiHttpError(CallerError):
    """The API answered with a status other than 2xx."""

    def __init__(self, message: str, status: int, body: str) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


class PrivateApiDeniedError(PrivateApiHttpError):
    """403: usually the API resource policy does not list this VPC endpoint."""


class ResponseTooLargeError(CallerError):
    """The answer would not fit in a Lambda response."""

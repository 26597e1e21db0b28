"""One HTTPS request with separate connect and read timeouts, standard library only.

The Lambda runtime ships no HTTP client we may rely on, and http.client lets the connect
(TCP + TLS handshake) and the read have their own limits.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import (
    PrivateApiTimeoutError,
    PrivateApiTlsError,
    PrivateApiUnreachableError,
    ResponseTooLargeError,
)


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Verifying context: system roots, or a given bundle (private CA, tests)."""
    context = ssl.create_default_context(cafile=ca_bundle)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def send(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None,
    connect_timeout: float,
    read_timeout: float,
    context: ssl.SSLContext,
    max_body_bytes: int,
) -> HttpResponse:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or 443
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    connection = http.client.HTTPSConnection(host, port, timeout=connect_timeout, context=context)
    try:
        try:
            connection.connect()
        except ssl.SSLError as error:
            raise PrivateApiTlsError(f"TLS handshake with {host}:{port} failed: {_reason(error)}") from error
        except TimeoutError as error:
            raise PrivateApiTimeoutError(
                f"no connection to {host}:{port} within {connect_timeout:g} s "
                "(check the endpoint security group admits 443 from this function)"
            ) from error
        except socket.gaierror as error:
            raise PrivateApiUnreachableError(
                f"cannot resolve {host}: {error.strerror or error} "
                "(private DNS off on the execute-api endpoint? use the endpoint-specific host name)"
            ) from error
        except OSError as error:
            raise PrivateApiUnreachableError(f"cannot connect to {host}:{port}: {error.strerror or error}") from error

        assert connection.sock is not None
        connection.sock.settimeout(read_timeout)
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(max_body_bytes + 1)
        except TimeoutError as error:
            raise PrivateApiTimeoutError(f"{method} {url} sent but no answer within {read_timeout:g} s") from error
        except (http.client.HTTPException, OSError) as error:
            raise PrivateApiUnreachableError(
                f"{method} {url}: connection broke before a full answer ({error!r})"
            ) from error
        if len(data) > max_body_bytes:
            raise ResponseTooLargeError(
                f"{method} {url} answered more than {max_body_bytes} bytes; a Lambda response cannot carry it"
            )
        return HttpResponse(
            status=response.status,
            headers={name.lower(): value for name, value in response.getheaders()},
            body=data,
        )
    finally:
        connection.close()


def _reason(error: ssl.SSLError) -> str:
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"certificate not trusted ({error.verify_message})"
    return error.reason or str(error)

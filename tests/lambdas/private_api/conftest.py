"""Fixtures for the private API Lambdas: a Lambda context and a local HTTPS 'private API'."""

from __future__ import annotations

import http.server
import json
import ssl
import threading
import time
from dataclasses import dataclass, field

import pytest

from components.mtls_proxy import pki

DENY_BODY = json.dumps(
    {
        "Message": "User: anonymous is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:us-east-1:********1111:a1b2c3d4e5/dev/GET/deny with an explicit deny"
    }
)


class QuietServer(http.server.ThreadingHTTPServer):
    """Clients that give up on purpose (timeout tests) are not server errors worth printing."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


@dataclass
class FakeLambdaContext:
    function_name: str = "private-api-caller"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:222222222222:function:private-api-caller"
    aws_request_id: str = "6f1c2d3e-0000-4000-8000-000000000001"
    remaining_seconds: float = 30.0
    started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return int((self.remaining_seconds - (time.monotonic() - self.started)) * 1000)


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


class LocalPrivateApi:
    """HTTPS server on loopback, certificate from a test CA, answers by path."""

    def __init__(self, directory) -> None:
        ca = pki.make_ca("test private API CA")
        leaf = pki.issue(ca, "localhost", server_names=("localhost", "127.0.0.1"))
        self.ca_file = directory / "ca.pem"
        self.ca_file.write_bytes(ca.cert_pem)
        (directory / "server.crt").write_bytes(leaf.cert_pem)
        (directory / "server.key").write_bytes(leaf.key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(directory / "server.crt", directory / "server.key")
        self.requests: list[dict] = []
        self.flaky_failures = 1
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def _reply(self, status: int, body: bytes, content_type="application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("x-amzn-RequestId", "req-123")
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else None
                record = {
                    "method": self.command,
                    "path": self.path,
                    "body": body,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                }
                api.requests.append(record)
                route = self.path.split("?")[0]
                if route.endswith("/deny"):
                    self._reply(403, DENY_BODY.encode())
                elif route.endswith("/flaky") and api.flaky_failures > 0:
                    api.flaky_failures -= 1
                    self._reply(503, b'{"message": "Service Unavailable"}')
                elif route.endswith("/broken"):
                    self._reply(500, b'{"message": "Internal server error"}')
                elif route.endswith("/slow"):
                    time.sleep(3)
                    self._reply(200, b"{}")
                elif route.endswith("/big"):
                    self._reply(200, b"x" * (5 * 1024 * 1024 + 10), "text/plain")
                elif route.endswith("/text"):
                    self._reply(200, b"plain words", "text/plain")
                else:
                    self._reply(200, json.dumps(record).encode())

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, *args) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.base_url = f"https://localhost:{self.port}/dev"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def private_api(tmp_path):
    api = LocalPrivateApi(tmp_path)
    yield api
    api.close()

"""Renders the NGINX configuration of the mTLS proxy (pattern 3) from parameters.

Every value lands in an nginx directive, so each one is checked against a strict pattern:
a stray `;`, brace or quote would otherwise let a parameter add directives of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

TEMPLATE = Path(__file__).with_name("templates") / "nginx.conf.tmpl"

# File names inside ProxySettings.material_dir; the bootstrap script writes them.
SERVER_CERT_FILE = "server.crt"
SERVER_KEY_FILE = "server.key"
CLIENT_CA_FILE = "client-ca.crt"
CRL_FILE = "client-ca.crl"

TLS_PROTOCOLS = {"TLSv1.2": "TLSv1.2 TLSv1.3", "TLSv1.3": "TLSv1.3"}
# Forward-secret AEAD suites only (TLS 1.3 suites are not governed by ssl_ciphers).
TLS12_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)

_HOST_RE = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_IPV4_RE = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$")
_STAGE_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_PATH_RE = re.compile(r"^/[A-Za-z0-9._/-]*$")
_LOG_RE = re.compile(r"^(/[A-Za-z0-9._/-]+|stderr|off)$")
_USER_RE = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


@dataclass(frozen=True)
class ProxySettings:
    """Parameters of the proxy; defaults fit the Fargate task the component builds.

    api_host:         host name of the private API (Host header, SNI and certificate name),
                      e.g. a1b2c3d4e5.execute-api.us-east-1.amazonaws.com
    upstream_address: where to connect: the execute-api endpoint's DNS name (works whether
                      or not private DNS is on), or api_host when private DNS resolves it
    stage_name:       the stage prefixed to every forwarded path; "" to forward paths as they are
    """

    api_host: str
    upstream_address: str | None = None
    upstream_port: int = 443
    stage_name: str = ""
    listen_address: str = ""
    listen_port: int = 443
    health_port: int = 8080
    min_tls_version: str = "TLSv1.2"
    verify_depth: int = 2
    check_crl: bool = False
    material_dir: str = "/etc/mtls-proxy"
    runtime_dir: str = "/run/mtls-proxy"
    upstream_ca_file: str = "/etc/ssl/certs/ca-certificates.crt"
    worker_user: str | None = "nginx"
    worker_processes: str = "auto"
    access_log: str = "/dev/stdout"
    error_log: str = "stderr"
    connect_timeout_seconds: int = 5
    read_timeout_seconds: int = 30

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("invalid mTLS proxy settings: " + "; ".join(problems))

    @property
    def upstream(self) -> str:
        return self.upstream_address or self.api_host

    def problems(self) -> list[str]:
        found: list[str] = []

        def check(ok: bool, field: str, expected: str) -> None:
            if not ok:
                found.append(f"{field}={getattr(self, field)!r}: expected {expected}")

        check(
            isinstance(self.api_host, str)
            and bool(_HOST_RE.match(self.api_host))
            and not _IPV4_RE.match(self.api_host),
            "api_host",
            "a DNS host name",
        )
        check(
            self.upstream_address is None or bool(_HOST_RE.match(self.upstream_address)),
            "upstream_address",
            "a DNS host name or IPv4 address",
        )
        check(
            self.stage_name == "" or bool(_STAGE_RE.match(self.stage_name)),
            "stage_name",
            "letters, digits, _ or - (or empty)",
        )
        check(
            self.listen_address == "" or bool(_IPV4_RE.match(self.listen_address)),
            "listen_address",
            "an IPv4 address or empty for all",
        )
        for port in ("upstream_port", "listen_port", "health_port"):
            value = getattr(self, port)
            check(isinstance(value, int) and 0 < value < 65536, port, "a port 1-65535")
        check(self.listen_port != self.health_port, "health_port", "a port other than listen_port")
        check(
            self.min_tls_version in TLS_PROTOCOLS,
            "min_tls_version",
            f"one of {sorted(TLS_PROTOCOLS)} (older protocols are refused)",
        )
        check(isinstance(self.verify_depth, int) and 1 <= self.verify_depth <= 5, "verify_depth", "1-5")
        for path in ("material_dir", "runtime_dir", "upstream_ca_file"):
            value = getattr(self, path)
            check(
                isinstance(value, str) and bool(_PATH_RE.match(value)) and ".." not in value, path, "an absolute path"
            )
        check(self.worker_user is None or bool(_USER_RE.match(self.worker_user)), "worker_user", "a user name or None")
        check(
            self.worker_processes == "auto" or self.worker_processes.isdigit(), "worker_processes", "'auto' or a number"
        )
        check(bool(_LOG_RE.match(self.access_log)), "access_log", "an absolute path or off")
        check(
            bool(_LOG_RE.match(self.error_log)) and self.error_log != "off", "error_log", "an absolute path or stderr"
        )
        for timeout in ("connect_timeout_seconds", "read_timeout_seconds"):
            value = getattr(self, timeout)
            check(isinstance(value, int) and 1 <= value <= 300, timeout, "1-300 seconds")
        return found


def render_nginx_conf(settings: ProxySettings) -> str:
    """The complete nginx.conf (main context) for the proxy container."""
    listen = f"{settings.listen_address}:" if settings.listen_address else ""
    crl = f"        ssl_crl                {settings.material_dir}/{CRL_FILE};\n" if settings.check_crl else ""
    return Template(TEMPLATE.read_text()).substitute(
        user_line=f"user {settings.worker_user};\n" if settings.worker_user else "",
        worker_processes=settings.worker_processes,
        runtime_dir=settings.runtime_dir,
        error_log=settings.error_log,
        access_log_directive=("off" if settings.access_log == "off" else f"{settings.access_log} mtls_json"),
        upstream_address=settings.upstream,
        upstream_port=settings.upstream_port,
        upstream_path_prefix=f"/{settings.stage_name}/" if settings.stage_name else "",
        listen=listen,
        listen_port=settings.listen_port,
        health_port=settings.health_port,
        material_dir=settings.material_dir,
        ssl_protocols=TLS_PROTOCOLS[settings.min_tls_version],
        ssl_ciphers=TLS12_CIPHERS,
        verify_depth=settings.verify_depth,
        crl_line=crl,
        api_host=settings.api_host,
        upstream_ca_file=settings.upstream_ca_file,
        connect_timeout=settings.connect_timeout_seconds,
        read_timeout=settings.read_timeout_seconds,
    )


def container_command(settings: ProxySettings) -> list[str]:
    """Command of the NGINX container: the config the bootstrap wrote, in the foreground."""
    return [
        "sh",
        "-c",
        f"mkdir -p {settings.runtime_dir} && exec nginx -e stderr "
        f"-c {settings.material_dir}/nginx.conf -g 'daemon off;'",
    ]

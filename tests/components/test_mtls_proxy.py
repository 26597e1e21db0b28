"""The mTLS proxy for real: the project's rendered start-up script and nginx.conf, a real
NGINX on loopback, a local HTTPS upstream standing in for the private API."""

from __future__ import annotations

import dataclasses
import http.client
import http.server
import json
import shutil
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest

from components.mtls_proxy import (
    MaterialSource,
    ProxyMaterial,
    ProxySettings,
    container_command,
    pki,
    render_bootstrap_script,
    render_nginx_conf,
)

API_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"
REGION = "us-east-1"
SERVER_CERT_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:mtls/server-cert-AbCdEf"
SERVER_KEY_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:mtls/server-key-GhIjKl"
CLIENT_CA_PARAM = "/blueprints/mtls/client-ca"
CRL_PARAM = "/blueprints/mtls/client-ca-crl"


def find_nginx() -> str | None:
    return shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- a stand-in for the AWS CLI in the init container -------------------------------------

FAKE_AWS = textwrap.dedent('''\
    #!{python}
    """Answers the two AWS CLI calls the bootstrap makes, from a JSON store; strict on arguments."""
    import json, os, sys
    args = sys.argv[1:]
    with open(os.environ["FAKE_AWS_LOG"], "a") as log:
        log.write(json.dumps(args) + "\\n")
    store = json.load(open(os.environ["FAKE_AWS_STORE"]))
    if args[:2] == ["secretsmanager", "get-secret-value"] and len(args) == 10 and \\
            args[2] == "--region" and args[4] == "--secret-id" and args[6:] == ["--query", "SecretString", "--output", "text"]:
        key, operation = "secretsmanager:" + args[5], "GetSecretValue"
    elif args[:2] == ["ssm", "get-parameter"] and len(args) == 11 and args[2] == "--region" and \\
            args[4] == "--name" and args[6:] == ["--with-decryption", "--query", "Parameter.Value", "--output", "text"]:
        key, operation = "ssm:" + args[5], "GetParameter"
    else:
        sys.stderr.write("aws: error: unexpected arguments " + " ".join(args) + "\\n")
        sys.exit(252)
    if key not in store:
        sys.stderr.write("An error occurred (AccessDeniedException) when calling the " + operation +
                         " operation: not authorized to read " + args[5] + "\\n")
        sys.exit(254)
    sys.stdout.write(store[key] + "\\n")
''')


class QuietServer(http.server.ThreadingHTTPServer):
    """Clients that give up on purpose (timeout tests) are not server errors worth printing."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


class FakeAws:
    def __init__(self, root: Path, store: dict[str, str]) -> None:
        self.bin = root / "bin"
        self.bin.mkdir(parents=True)
        script = self.bin / "aws"
        script.write_text(FAKE_AWS.format(python=sys.executable))
        script.chmod(0o755)
        self.store_file = root / "store.json"
        self.store_file.write_text(json.dumps(store))
        self.log_file = root / "aws-calls.log"

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "FAKE_AWS_STORE": str(self.store_file),
            "FAKE_AWS_LOG": str(self.log_file),
        }
        return subprocess.run(["sh", "-c", script], env=env, capture_output=True, text=True, timeout=30)

    def calls(self) -> list[list[str]]:
        if not self.log_file.exists():
            return []
        return [json.loads(line) for line in self.log_file.read_text().splitlines()]


# --- the local upstream that plays the private API ------------------------------------------


class Upstream:
    """HTTPS server with a certificate for the API host name; records what reaches it."""

    def __init__(self, certificate: pki.Issued, directory: Path) -> None:
        self.requests: list[dict] = []
        self.sni: list[str | None] = []
        cert_file, key_file = directory / "upstream.crt", directory / "upstream.key"
        cert_file.write_bytes(certificate.cert_pem)
        key_file.write_bytes(certificate.key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        context.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in separate writes

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                record = {
                    "method": self.command,
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "body": body,
                }
                upstream.requests.append(record)
                payload = json.dumps(record).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

            def log_message(self, *args) -> None:
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- NGINX started the way the task starts it -------------------------------------------


class Proxy:
    def __init__(self, nginx: str, settings: ProxySettings, material_dir: Path) -> None:
        self.settings = settings
        command = container_command(settings)
        env = {"PATH": f"{Path(nginx).parent}:/usr/sbin:/usr/bin:/bin"}
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited {self.process.returncode}: {self.process.stderr.read()}")
            try:
                if plain_get(settings.health_port, "/health")[0] == 200:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not answer /health within 10 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def plain_get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def client_context(
    ca: pki.Issued,
    tmp: Path,
    client: pki.Issued | None = None,
    *,
    minimum: ssl.TLSVersion | None = None,
    maximum: ssl.TLSVersion | None = None,
) -> ssl.SSLContext:
    ca_file = tmp / f"trust-{id(ca)}.pem"
    ca_file.write_bytes(ca.cert_pem)
    context = ssl.create_default_context(cafile=str(ca_file))
    if client is not None:
        cert_file, key_file = tmp / f"client-{id(client)}.crt", tmp / f"client-{id(client)}.key"
        cert_file.write_bytes(client.cert_pem)
        key_file.write_bytes(client.key_pem)
        context.load_cert_chain(cert_file, key_file)
    if minimum is not None:
        context.minimum_version = minimum
    if maximum is not None:
        context.maximum_version = maximum
    return context


def https_request(
    port: int,
    context: ssl.SSLContext,
    method: str = "GET",
    path: str = "/",
    headers: dict[str, str] | None = None,
    body: str | None = None,
):
    connection = http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def nginx_binary() -> str:
    nginx = find_nginx()
    if nginx is None:
        pytest.skip(
            "nginx not found on PATH or in /usr/sbin; `bash scripts/install-system-packages.sh` "
            "installs it (make test runs it first)"
        )
    return nginx


@pytest.fixture(scope="module")
def certs():
    server_ca = pki.make_ca("proxy server CA")
    client_ca = pki.make_ca("consumer client CA")
    rogue_ca = pki.make_ca("some other CA")
    api_ca = pki.make_ca("stand-in for the Amazon roots")
    return {
        "server_ca": server_ca,
        "server": pki.issue(server_ca, "mtls proxy", server_names=("localhost", "127.0.0.1")),
        "client_ca": client_ca,
        "client": pki.issue(client_ca, "orders-service", client=True),
        "rogue_client": pki.issue(rogue_ca, "orders-service", client=True),
        "api_ca": api_ca,
        "api": pki.issue(api_ca, API_HOST, server_names=(API_HOST,)),
        "rogue_ca": rogue_ca,
    }


@pytest.fixture(scope="module")
def work_dir():
    # World-traversable, so NGINX workers (nobody) can reach their temp paths.
    path = Path(tempfile.mkdtemp(prefix="mtls-proxy-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def upstream(certs, work_dir):
    server = Upstream(certs["api"], work_dir)
    yield server
    server.close()


def proxy_settings(work_dir: Path, name: str, upstream_port: int, upstream_ca_file: Path) -> ProxySettings:
    return ProxySettings(
        api_host=API_HOST,
        upstream_address="127.0.0.1",  # in AWS: the execute-api endpoint's DNS name
        upstream_port=upstream_port,
        stage_name="dev",
        listen_address="127.0.0.1",
        listen_port=free_port(),
        health_port=free_port(),
        material_dir=str(work_dir / name / "material"),
        runtime_dir=str(work_dir / name / "run"),
        upstream_ca_file=str(upstream_ca_file),
        worker_user=None,
        worker_processes="1",
        access_log=str(work_dir / name / "access.log"),
        error_log=str(work_dir / name / "error.log"),
    )


def material_store(certs) -> dict[str, str]:
    return {
        f"secretsmanager:{SERVER_CERT_ARN}": certs["server"].cert_pem.decode(),
        f"secretsmanager:{SERVER_KEY_ARN}": certs["server"].key_pem.decode(),
        f"ssm:{CLIENT_CA_PARAM}": certs["client_ca"].cert_pem.decode(),
    }


MATERIAL = ProxyMaterial(
    server_certificate=MaterialSource("secretsmanager", SERVER_CERT_ARN),
    server_key=MaterialSource("secretsmanager", SERVER_KEY_ARN),
    client_ca=MaterialSource("ssm", CLIENT_CA_PARAM),
)


def start_proxy(
    nginx: str,
    certs,
    work_dir: Path,
    name: str,
    upstream_port: int,
    upstream_ca: pki.Issued,
    *,
    crl: bytes | None = None,
) -> tuple[Proxy, FakeAws]:
    (work_dir / name).mkdir()
    (work_dir / name).chmod(0o755)
    ca_file = work_dir / name / "upstream-ca.pem"
    ca_file.write_bytes(upstream_ca.cert_pem)
    settings = proxy_settings(work_dir, name, upstream_port, ca_file)
    store, material = material_store(certs), MATERIAL
    if crl is not None:
        settings = dataclasses.replace(settings, check_crl=True)
        store[f"ssm:{CRL_PARAM}"] = crl.decode()
        material = dataclasses.replace(MATERIAL, crl=MaterialSource("ssm", CRL_PARAM))
    aws = FakeAws(work_dir / name / "aws", store)
    result = aws.run(render_bootstrap_script(settings, material, REGION))
    assert result.returncode == 0, result.stderr
    return Proxy(nginx, settings, Path(settings.material_dir)), aws


@pytest.fixture(scope="module")
def proxy(nginx_binary, certs, work_dir, upstream):
    running, aws = start_proxy(nginx_binary, certs, work_dir, "main", upstream.port, certs["api_ca"])
    running.aws = aws
    yield running
    running.stop()


# --- behaviour ----------------------------------------------------------------------------


def test_client_with_valid_certificate_reaches_the_api_with_verified_identity(proxy, upstream, certs, tmp_path):
    before = len(upstream.requests)
    context = client_context(certs["server_ca"], tmp_path, certs["client"])
    status, body = https_request(proxy.settings.listen_port, context, path="/widgets?colour=blue")

    assert status == 200
    seen = json.loads(body)
    assert len(upstream.requests) == before + 1
    # The stage is prefixed; the API is selected by Host and SNI, not by the address.
    assert seen["path"] == "/dev/widgets?colour=blue"
    assert seen["headers"]["host"] == API_HOST
    assert upstream.sni[-1] == API_HOST
    assert seen["headers"]["x-client-cert-verify"] == "SUCCESS"
    assert "CN=orders-service" in seen["headers"]["x-client-cert-subject"]
    assert "CN=consumer client CA" in seen["headers"]["x-client-cert-issuer"]
    # nginx prints $ssl_client_serial as OpenSSL writes an ASN.1 integer: hex byte pairs, so a serial
    # whose first byte is below 0x10 keeps its leading zero (openssl crypto/asn1/a_int.c
    # i2a_ASN1_INTEGER). Compared as numbers, as the API would use it.
    assert int(seen["headers"]["x-client-cert-serial"], 16) == certs["client"].certificate.serial_number


def test_client_without_certificate_is_refused_before_the_api(proxy, upstream, certs, tmp_path):
    before = len(upstream.requests)
    context = client_context(certs["server_ca"], tmp_path)
    status, body = https_request(proxy.settings.listen_port, context, path="/widgets")

    assert status == 400
    assert b"No required SSL certificate was sent" in body
    assert len(upstream.requests) == before


def test_certificate_from_another_ca_is_refused_before_the_api(proxy, upstream, certs, tmp_path):
    before = len(upstream.requests)
    context = client_context(certs["server_ca"], tmp_path, certs["rogue_client"])
    status, body = https_request(proxy.settings.listen_port, context, path="/widgets")

    assert status == 400
    assert b"SSL certificate error" in body
    assert len(upstream.requests) == before


def test_client_cannot_forge_identity_headers_or_pick_another_api(proxy, upstream, certs, tmp_path):
    context = client_context(certs["server_ca"], tmp_path, certs["client"])
    status, body = https_request(
        proxy.settings.listen_port,
        context,
        method="POST",
        path="/orders",
        headers={
            "X-Client-Cert-Subject": "CN=admin",
            "X-Client-Cert-Verify": "SUCCESS",
            "x-apigw-api-id": "zzzzzzzzzz",
            "Host": "zzzzzzzzzz.execute-api.us-east-1.amazonaws.com",
            "Content-Type": "application/json",
        },
        body='{"item": 1}',
    )
    assert status == 200
    seen = json.loads(body)
    assert "CN=orders-service" in seen["headers"]["x-client-cert-subject"]
    assert "admin" not in seen["headers"]["x-client-cert-subject"]
    assert "x-apigw-api-id" not in seen["headers"]
    assert seen["headers"]["host"] == API_HOST
    assert seen["method"] == "POST" and seen["body"] == '{"item": 1}'


def test_tls_1_1_is_refused_and_1_2_and_1_3_are_accepted(proxy, certs, tmp_path):
    port = proxy.settings.listen_port
    for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        context = client_context(certs["server_ca"], tmp_path, certs["client"], minimum=version, maximum=version)
        assert https_request(port, context, path="/widgets")[0] == 200

    old = client_context(certs["server_ca"], tmp_path, certs["client"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.minimum_version = ssl.TLSVersion.TLSv1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    old.set_ciphers("DEFAULT:@SECLEVEL=0")  # let the client try; the server must say no
    with pytest.raises(ssl.SSLError) as refused:
        https_request(port, old, path="/widgets")
    # The server's alert, not a client-side refusal to offer the protocol.
    print("TLS11 ERROR:", refused.value)
    assert "ALERT" in str(refused.value).upper() or "UNSUPPORTED_PROTOCOL" in str(refused.value).upper()


def test_health_endpoint_answers_plain_http_for_the_nlb(proxy):
    assert plain_get(proxy.settings.health_port, "/health") == (200, b"ok\n")
    assert plain_get(proxy.settings.health_port, "/widgets")[0] == 404


def test_bootstrap_wrote_material_readable_by_root_only_and_asked_for_decryption(proxy):
    material = Path(proxy.settings.material_dir)
    assert sorted(p.name for p in material.iterdir()) == ["client-ca.crt", "nginx.conf", "server.crt", "server.key"]
    for path in material.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert (material / "nginx.conf").read_text() == render_nginx_conf(proxy.settings)
    calls = proxy.aws.calls()
    assert [call[:2] for call in calls] == [["secretsmanager", "get-secret-value"]] * 2 + [["ssm", "get-parameter"]]
    assert all(call[3] == REGION for call in calls)
    assert "--with-decryption" in calls[2]


def test_proxy_refuses_an_upstream_whose_certificate_it_cannot_verify(
    nginx_binary, certs, work_dir, upstream, tmp_path
):
    # Trust a CA that did not issue the upstream's certificate: a stand-in for a spoofed endpoint.
    running, _ = start_proxy(nginx_binary, certs, work_dir, "untrusting", upstream.port, certs["rogue_ca"])
    try:
        before = len(upstream.requests)
        context = client_context(certs["server_ca"], tmp_path, certs["client"])
        status, _ = https_request(running.settings.listen_port, context, path="/widgets")
        assert status == 502
        assert len(upstream.requests) == before
        error_log = Path(running.settings.error_log).read_text()
        assert "upstream SSL certificate verify error" in error_log
    finally:
        running.stop()


def test_revoked_client_certificate_is_refused_when_crl_checking_is_on(
    nginx_binary, certs, work_dir, upstream, tmp_path
):
    revoked = pki.issue(certs["client_ca"], "retired-service", client=True)
    crl = pki.make_crl(certs["client_ca"], revoked=(revoked,))
    running, _ = start_proxy(nginx_binary, certs, work_dir, "crl", upstream.port, certs["api_ca"], crl=crl)
    try:
        port = running.settings.listen_port
        status, body = https_request(port, client_context(certs["server_ca"], tmp_path, revoked), path="/widgets")
        assert status == 400 and b"SSL certificate error" in body
        status, _ = https_request(port, client_context(certs["server_ca"], tmp_path, certs["client"]), path="/widgets")
        assert status == 200
    finally:
        running.stop()


# --- start-up failures are loud and leave nothing half-written ---------------------------------


def test_bootstrap_fails_naming_the_secret_it_cannot_read(certs, tmp_path):
    settings = proxy_settings(tmp_path, "denied", 443, tmp_path / "ca.pem")
    store = material_store(certs)
    del store[f"secretsmanager:{SERVER_KEY_ARN}"]
    aws = FakeAws(tmp_path / "aws", store)

    result = aws.run(render_bootstrap_script(settings, MATERIAL, REGION))

    assert result.returncode != 0
    assert "cannot read the server private key" in result.stderr
    assert SERVER_KEY_ARN in result.stderr and "AccessDeniedException" in result.stderr
    written = sorted(p.name for p in Path(settings.material_dir).iterdir())
    assert written == ["server.crt"]  # no key, no partial file, no config for NGINX to start on


def test_bootstrap_refuses_a_value_that_is_not_pem(certs, tmp_path):
    settings = proxy_settings(tmp_path, "garbage", 443, tmp_path / "ca.pem")
    store = material_store(certs)
    store[f"ssm:{CLIENT_CA_PARAM}"] = "replace-me"
    aws = FakeAws(tmp_path / "aws", store)

    result = aws.run(render_bootstrap_script(settings, MATERIAL, REGION))

    assert result.returncode != 0
    assert f"the client CA bundle from ssm {CLIENT_CA_PARAM} is not a PEM document" in result.stderr
    assert not (Path(settings.material_dir) / "nginx.conf").exists()


# --- rendering rules (no NGINX needed) ------------------------------------------------------


def test_parameters_that_could_inject_directives_are_rejected_with_every_problem_named():
    with pytest.raises(ValueError) as error:
        ProxySettings(
            api_host="x.example.com; include /etc/passwd",
            stage_name="dev/../admin",
            upstream_ca_file="/etc/ssl/ca.pem;",
            min_tls_version="TLSv1.1",
            listen_port=8080,
            health_port=8080,
        )
    message = str(error.value)
    for field in ("api_host=", "stage_name=", "upstream_ca_file=", "min_tls_version=", "health_port="):
        assert field in message


def test_stage_is_prefixed_only_when_given_and_tls_floor_follows_the_setting():
    with_stage = render_nginx_conf(ProxySettings(api_host=API_HOST, stage_name="prod"))
    assert "proxy_pass https://private_api/prod/;" in with_stage
    assert "ssl_protocols       TLSv1.2 TLSv1.3;" in with_stage
    without_stage = render_nginx_conf(ProxySettings(api_host=API_HOST, min_tls_version="TLSv1.3"))
    assert "proxy_pass https://private_api;" in without_stage
    assert "ssl_protocols       TLSv1.3;" in without_stage


def test_upstream_defaults_to_the_api_host_and_can_be_the_endpoint_dns_name():
    endpoint = "vpce-0a1b2c3d4e5f60718-abcdefgh.execute-api.us-east-1.vpce.amazonaws.com"
    assert f"server {API_HOST}:443;" in render_nginx_conf(ProxySettings(api_host=API_HOST))
    config = render_nginx_conf(ProxySettings(api_host=API_HOST, upstream_address=endpoint))
    assert f"server {endpoint}:443;" in config
    assert f"proxy_ssl_name {API_HOST};" in config and f"proxy_set_header Host {API_HOST};" in config


def test_access_log_can_be_switched_off_or_written_as_json():
    assert "access_log off;" in render_nginx_conf(ProxySettings(api_host=API_HOST, access_log="off"))
    assert "access_log /dev/stdout mtls_json;" in render_nginx_conf(ProxySettings(api_host=API_HOST))


def test_crl_source_and_crl_checking_go_together():
    settings = ProxySettings(api_host=API_HOST)
    crl_source = MaterialSource("ssm", CRL_PARAM)
    with pytest.raises(ValueError, match="check_crl"):
        render_bootstrap_script(settings, dataclasses.replace(MATERIAL, crl=crl_source), REGION)
    with pytest.raises(ValueError, match="check_crl"):
        render_bootstrap_script(dataclasses.replace(settings, check_crl=True), MATERIAL, REGION)
    assert "ssl_crl" not in render_nginx_conf(settings)


@pytest.mark.parametrize(
    "kind, ref",
    [
        ("s3", "bucket/key"),
        ("secretsmanager", "name'; rm -rf /; '"),
        ("ssm", "/param with space"),
        ("secretsmanager", "arn:aws:secretsmanager:us-east-1:1234:secret:short-account"),
    ],
)
def test_material_sources_accept_only_secret_or_parameter_references(kind, ref):
    with pytest.raises(ValueError):
        MaterialSource(kind, ref)


def test_bootstrap_rejects_a_bad_region_and_never_puts_material_in_the_script():
    with pytest.raises(ValueError, match="region"):
        render_bootstrap_script(ProxySettings(api_host=API_HOST), MATERIAL, "us-east-1; curl evil")
    script = render_bootstrap_script(ProxySettings(api_host=API_HOST), MATERIAL, REGION)
    assert "PRIVATE KEY" not in script and "CERTIFICATE-----" not in script
    assert SERVER_KEY_ARN in script and "umask 077" in script

"""Latency the mTLS proxy adds, measured on loopback with the project's rendered nginx.conf.

Prints median and p95 for: direct HTTPS to the upstream, through the proxy with a new mTLS
handshake per request, and through the proxy on one kept-alive connection.
    python benchmarks/bench_mtls_proxy.py [requests]
"""

from __future__ import annotations

import http.client
import http.server
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.mtls_proxy import ProxySettings, container_command, pki, render_nginx_conf  # noqa: E402

API_HOST = "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_upstream(directory: Path, leaf: pki.Issued) -> int:
    (directory / "up.crt").write_bytes(leaf.cert_pem)
    (directory / "up.key").write_bytes(leaf.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "up.crt", directory / "up.key")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in separate writes

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def timed(fn, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(f"{label:<48} median {statistics.median(samples):6.2f} ms   p95 {p95:6.2f} ms   n={len(samples)}")


def main(count: int = 300) -> None:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        sys.exit("nginx not found; run: bash scripts/install-system-packages.sh")
    work = Path(tempfile.mkdtemp(prefix="mtls-bench-"))
    work.chmod(0o755)
    server_ca, client_ca, api_ca = pki.make_ca("server CA"), pki.make_ca("client CA"), pki.make_ca("api CA")
    material = work / "material"
    material.mkdir(mode=0o700)
    server = pki.issue(server_ca, "proxy", server_names=("localhost",))
    client = pki.issue(client_ca, "bench-client", client=True)
    (material / "server.crt").write_bytes(server.cert_pem)
    (material / "server.key").write_bytes(server.key_pem)
    (material / "client-ca.crt").write_bytes(client_ca.cert_pem)
    for name, issued in (("server-ca.pem", server_ca), ("api-ca.pem", api_ca)):
        (work / name).write_bytes(issued.cert_pem)
    (work / "client.crt").write_bytes(client.cert_pem)
    (work / "client.key").write_bytes(client.key_pem)

    upstream_port = start_upstream(work, pki.issue(api_ca, API_HOST, server_names=(API_HOST,)))
    settings = ProxySettings(
        api_host=API_HOST,
        upstream_address="127.0.0.1",
        upstream_port=upstream_port,
        stage_name="dev",
        listen_address="127.0.0.1",
        listen_port=free_port(),
        health_port=free_port(),
        material_dir=str(material),
        runtime_dir=str(work / "run"),
        upstream_ca_file=str(work / "api-ca.pem"),
        worker_user=None,
        worker_processes="1",
        access_log="off",
        error_log=str(work / "error.log"),
    )
    (material / "nginx.conf").write_text(render_nginx_conf(settings))
    process = subprocess.Popen(container_command(settings), env={"PATH": f"{Path(nginx).parent}:/usr/bin:/bin"})
    try:
        for _ in range(200):
            if process.poll() is not None:
                sys.exit(f"nginx exited with {process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", settings.health_port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)

        client_context = ssl.create_default_context(cafile=str(work / "server-ca.pem"))
        client_context.load_cert_chain(work / "client.crt", work / "client.key")
        direct_context = ssl.create_default_context(cafile=str(work / "api-ca.pem"))
        direct_context.check_hostname = False

        def one_shot(port: int, context: ssl.SSLContext, host: str) -> None:
            connection = http.client.HTTPSConnection(host, port, context=context, timeout=5)
            connection.request("GET", "/widgets")
            assert connection.getresponse().read() == b"{}"
            connection.close()

        kept = http.client.HTTPSConnection("localhost", settings.listen_port, context=client_context, timeout=5)

        def kept_alive() -> None:
            kept.request("GET", "/widgets")
            assert kept.getresponse().read() == b"{}"

        for _ in range(20):  # warm up both paths and the proxy's upstream keepalive pool
            one_shot(settings.listen_port, client_context, "localhost")
            one_shot(upstream_port, direct_context, "127.0.0.1")
        print(
            f"NGINX {subprocess.run([nginx, '-v'], capture_output=True, text=True).stderr.strip()}, "
            f"{ssl.OPENSSL_VERSION}, loopback, ECDSA P-256 certificates"
        )
        report(
            "direct HTTPS to upstream (new connection)",
            timed(lambda: one_shot(upstream_port, direct_context, "127.0.0.1"), count),
        )
        report(
            "through mTLS proxy (new mTLS handshake)",
            timed(lambda: one_shot(settings.listen_port, client_context, "localhost"), count),
        )
        report("through mTLS proxy (kept-alive connection)", timed(kept_alive, count))
        kept.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)

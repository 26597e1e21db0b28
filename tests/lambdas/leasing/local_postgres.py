"""A throwaway PostgreSQL 15 server on loopback that, like RDS Proxy, only accepts TLS.

Used by the leasing tests (``conftest.py``) and by ``benchmarks/bench_lease_api.py``. The server
gets a temporary data directory, a free port on 127.0.0.1, a certificate for ``localhost`` signed by
a throwaway CA (clients verify it with ``sslmode=verify-full``), and SCRAM password auth over
``hostssl`` only. initdb refuses to run as root, so as root the server runs as ``postgres``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "leasing_admin"


class PostgresUnavailable(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_certificates(directory: Path) -> tuple[Path, Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leasing tests CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = directory / "ca.crt", directory / "server.crt", directory / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


@dataclass
class LocalPostgres:
    durable: bool = False  # False: fsync off, for fast tests; True: default durability, for benchmarks
    host: str = "127.0.0.1"
    port: int = 0
    user: str = SUPERUSER
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    root: Path | None = None
    ca_file: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:
            command = ("runuser", "-u", "postgres", "--", *command)
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")
        return result

    def start(self) -> LocalPostgres:
        if not (PG_BIN / "initdb").exists():
            raise PostgresUnavailable(
                f"PostgreSQL 15 server binaries not found in {PG_BIN}; run `bash scripts/install-system-packages.sh`"
            )
        self.root = Path(tempfile.mkdtemp(prefix="leasing-pg-"))
        self.root.chmod(0o755)
        tls = self.root / "tls"
        tls.mkdir()
        self.ca_file, cert, key = _write_certificates(tls)
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.root, tls, cert, key, pwfile):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        key.chmod(0o600)
        pwfile.chmod(0o600)
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data_dir),
            "-U",
            self.user,
            f"--pwfile={pwfile}",
            "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            *(() if self.durable else ("--no-sync",)),
        )
        # Like RDS Proxy with require_tls: no plain-text host line at all.
        (self.data_dir / "pg_hba.conf").write_text(
            "hostssl all all 127.0.0.1/32 scram-sha-256\nlocal all all scram-sha-256\n"
        )
        self.port = _free_port()
        settings = [
            f"port={self.port}",
            "listen_addresses=127.0.0.1",
            f"unix_socket_directories={self.root}",
            "ssl=on",
            f"ssl_cert_file={cert}",
            f"ssl_key_file={key}",
            "ssl_min_protocol_version=TLSv1.2",
            "max_connections=60",
            "shared_buffers=128MB",
        ]
        if not self.durable:
            settings += ["fsync=off", "synchronous_commit=off", "full_page_writes=off"]
        options = " ".join(f"-c {s}" for s in settings)
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.root / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
        with self.admin_connect() as admin:
            # Aurora's built-in role for IAM database authentication, which the migrations grant.
            admin.execute("CREATE ROLE rds_iam NOLOGIN")
        return self

    def application_environ(self, dbname: str, user: str, password: str) -> dict[str, str]:
        """As ``environ``, for a role of the migrations: sets its password, which stands in for the
        IAM token (only Aurora checks those)."""
        from psycopg import sql

        with self.admin_connect(dbname) as admin:
            admin.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(user), sql.Literal(password)))
        return {**self.environ(dbname), "DB_USER": user, "DB_PASSWORD": password}

    def stop(self) -> None:
        if self.root is None:
            return
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def environ(self, dbname: str) -> dict[str, str]:
        """What the functions read from their environment to reach this server."""
        return {
            "DB_HOST": "localhost",
            "DB_PORT": str(self.port),
            "DB_NAME": dbname,
            "DB_USER": self.user,
            "DB_AUTH": "password",
            "DB_PASSWORD": self.password,
            "DB_SSLMODE": "verify-full",
            "DB_SSLROOTCERT": str(self.ca_file),
            "AWS_REGION": "us-east-1",
        }

    def admin_connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(
            host="localhost",
            port=self.port,
            dbname=dbname,
            user=self.user,
            password=self.password,
            sslmode="verify-full",
            sslrootcert=str(self.ca_file),
            autocommit=True,
        )

    def create_database(self, name: str, template: str | None = None) -> None:
        from psycopg import sql

        with self.admin_connect() as conn:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(statement)

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.admin_connect() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

"""Start-up script of the proxy task: fetches certificates and keys, writes the config.

It runs in a short-lived init container (the AWS CLI image) under the task role and writes
into a task volume the NGINX container mounts read-only. Keys therefore live neither in an
image nor in any environment variable, and the task definition holds only their ARNs/names.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from .nginx_config import CLIENT_CA_FILE, CRL_FILE, SERVER_CERT_FILE, SERVER_KEY_FILE, ProxySettings

KINDS = ("secretsmanager", "ssm")
CONFIG_FILE = "nginx.conf"
_HEREDOC_END = "MTLS_PROXY_NGINX_CONF"
_SECRET_REF_RE = re.compile(
    r"^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+|[A-Za-z0-9/_+=.@-]{1,512})$"
)
_SSM_REF_RE = re.compile(
    r"^(arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[A-Za-z0-9/_.-]+|/?[A-Za-z0-9/_.-]{1,1011})$"
)
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True)
class MaterialSource:
    """Where one PEM document lives: a Secrets Manager secret (string) or an SSM
    SecureString parameter, by ARN or name."""

    kind: str
    ref: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"material source kind {self.kind!r}: expected one of {KINDS}")
        pattern = _SECRET_REF_RE if self.kind == "secretsmanager" else _SSM_REF_RE
        if not isinstance(self.ref, str) or not pattern.match(self.ref):
            raise ValueError(f"{self.kind} reference {self.ref!r}: expected a secret/parameter ARN or name")


@dataclass(frozen=True)
class ProxyMaterial:
    server_certificate: MaterialSource
    server_key: MaterialSource
    client_ca: MaterialSource
    crl: MaterialSource | None = None

    def files(self) -> list[tuple[str, MaterialSource, str]]:
        """(what, source, file name) for each document to fetch."""
        items = [
            ("server certificate", self.server_certificate, SERVER_CERT_FILE),
            ("server private key", self.server_key, SERVER_KEY_FILE),
            ("client CA bundle", self.client_ca, CLIENT_CA_FILE),
        ]
        if self.crl is not None:
            items.append(("client CA revocation list", self.crl, CRL_FILE))
        return items


_PRELUDE = """\
#!/bin/sh
# Rendered by components/mtls_proxy/bootstrap.py: fetch the proxy's TLS material, write nginx.conf.
set -eu
umask 077
dir={dir}
region={region}
mkdir -p "$dir"
fail() {{ echo "mtls-proxy bootstrap: $*" >&2; exit 1; }}
# fetch WHAT KIND REF FILE: read one PEM document and write it atomically, readable by root only.
fetch() {{
  case "$2" in
    secretsmanager) set -- "$1" "$2" "$3" "$4" aws secretsmanager get-secret-value --region "$region" --secret-id "$3" --query SecretString --output text ;;
    ssm) set -- "$1" "$2" "$3" "$4" aws ssm get-parameter --region "$region" --name "$3" --with-decryption --query Parameter.Value --output text ;;
  esac
  what=$1; kind=$2; ref=$3; file=$4; shift 4
  if ! "$@" > "$dir/$file.part" 2> "$dir/.fetch-error"; then
    error=$(cat "$dir/.fetch-error"); rm -f "$dir/$file.part" "$dir/.fetch-error"
    fail "cannot read the $what from $kind $ref: $error"
  fi
  if ! grep -q -e '-----BEGIN ' "$dir/$file.part"; then
    rm -f "$dir/$file.part"
    fail "the $what from $kind $ref is not a PEM document"
  fi
  mv "$dir/$file.part" "$dir/$file"
}}
"""


def render_bootstrap_script(settings: ProxySettings, material: ProxyMaterial, region: str) -> str:
    """POSIX sh run by the init container; fails with a message naming the missing piece."""
    if not _REGION_RE.match(region):
        raise ValueError(f"region {region!r}: expected an AWS Region name like us-east-1")
    if settings.check_crl != (material.crl is not None):
        raise ValueError("check_crl needs a crl source, and a crl source needs check_crl")
    from .nginx_config import render_nginx_conf

    config = render_nginx_conf(settings)
    assert _HEREDOC_END not in config
    lines = [_PRELUDE.format(dir=shlex.quote(settings.material_dir), region=shlex.quote(region))]
    for what, source, file_name in material.files():
        lines.append(f"fetch {shlex.quote(what)} {source.kind} {shlex.quote(source.ref)} {file_name}\n")
    lines.append(f'rm -f "$dir/.fetch-error"\ncat > "$dir/{CONFIG_FILE}.part" <<\'{_HEREDOC_END}\'\n')
    lines.append(config if config.endswith("\n") else config + "\n")
    lines.append(f"{_HEREDOC_END}\n")
    lines.append(f'mv "$dir/{CONFIG_FILE}.part" "$dir/{CONFIG_FILE}"\n')
    lines.append("echo \"mtls-proxy bootstrap: wrote $(ls \"$dir\" | tr '\\n' ' ')into $dir\"\n")
    return "".join(lines)

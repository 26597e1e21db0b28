"""mTLS NGINX proxy (private API pattern 3): config renderer and task start-up script.

`pki` (test and development certificates) needs `cryptography` and is imported on demand.
"""

from .bootstrap import MaterialSource, ProxyMaterial, render_bootstrap_script
from .nginx_config import ProxySettings, container_command, render_nginx_conf

__all__ = [
    "MaterialSource",
    "ProxyMaterial",
    "ProxySettings",
    "container_command",
    "render_bootstrap_script",
    "render_nginx_conf",
]

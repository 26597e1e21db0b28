"""Idempotent set-up of the listing index and of who may use it (fine-grained access control).

Run by the stack on every deploy whose inputs change (and safe to run again by hand):
1. the index template (mapping from index_template.json, replicas for this stack);
2. the versioned index `<alias>-v<schema_version>` behind the alias, created once; replicas kept in
   step with the stack afterwards;
3. two OpenSearch security roles, writer (bulk index/delete) and reader (search), mapped to the
   indexer's and the search API's IAM role ARNs as backend roles.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from opensearchpy.exceptions import RequestError

TEMPLATE_PATH = Path(__file__).with_name("index_template.json")
ALIAS_RE = re.compile(r"[a-z][a-z0-9_-]{0,62}")
ROLE_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
MAX_REPLICAS = 2


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE_PATH.read_text())


def validate(event: dict[str, Any]) -> dict[str, Any]:
    problems = []
    alias = event.get("alias", "listings")
    if not isinstance(alias, str) or not ALIAS_RE.fullmatch(alias):
        problems.append(f"alias must be a lower-case index name (got {alias!r})")
    replicas = event.get("replicas")
    if isinstance(replicas, bool) or not isinstance(replicas, int) or not 0 <= replicas <= MAX_REPLICAS:
        problems.append(f"replicas must be an integer from 0 to {MAX_REPLICAS} (got {replicas!r})")
    endpoint = event.get("endpoint")
    if endpoint is not None and (not isinstance(endpoint, str) or not endpoint.strip()):
        problems.append(f"endpoint must be the domain endpoint (got {endpoint!r})")
    for key in ("writer_role_arns", "reader_role_arns"):
        arns = event.get(key)
        if not isinstance(arns, list) or not arns or not all(isinstance(a, str) and ROLE_ARN_RE.fullmatch(a) for a in arns):
            problems.append(f"{key} must be a non-empty list of IAM role ARNs (got {arns!r})")
    if problems:
        raise ValueError("invalid bootstrap input: " + "; ".join(problems))
    return {"alias": alias, "replicas": replicas, "writer_role_arns": event["writer_role_arns"], "reader_role_arns": event["reader_role_arns"]}


def roles(alias: str) -> dict[str, dict[str, Any]]:
    patterns = [alias, f"{alias}-*"]
    return {
        f"{alias}_writer": {
            "description": "search indexer: bulk index and delete listing documents",
            "cluster_permissions": ["indices:data/write/bulk"],
            "index_permissions": [
                {
                    "index_patterns": patterns,
                    "allowed_actions": ["indices:data/write/index", "indices:data/write/delete", "indices:data/write/bulk*"],
                }
            ],
        },
        f"{alias}_reader": {
            "description": "search API: query listing documents",
            "index_permissions": [{"index_patterns": patterns, "allowed_actions": ["indices:data/read/search*"]}],
        },
    }


def bootstrap(client: Any, event: dict[str, Any]) -> dict[str, Any]:
    settings = validate(event)
    alias, replicas = settings["alias"], settings["replicas"]
    template = load_template()
    template["index_patterns"] = [f"{alias}-*"]
    template["template"]["settings"]["index"]["number_of_replicas"] = replicas
    client.transport.perform_request("PUT", f"/_index_template/{alias}", body=template)

    index = f"{alias}-v{template['_meta']['schema_version']}"
    created = False
    if client.indices.exists(index=index):
        client.indices.put_settings(index=index, body={"index": {"number_of_replicas": replicas}})
    else:
        try:
            client.indices.create(index=index, body={"aliases": {alias: {"is_write_index": True}}})
            created = True
        except RequestError as exc:  # another run created it first
            if exc.error != "resource_already_exists_exception":
                raise

    mapped = {f"{alias}_writer": settings["writer_role_arns"], f"{alias}_reader": settings["reader_role_arns"]}
    for name, role in roles(alias).items():
        client.transport.perform_request("PUT", f"/_plugins/_security/api/roles/{name}", body=role)
        client.transport.perform_request(
            "PUT", f"/_plugins/_security/api/rolesmapping/{name}", body={"backend_roles": mapped[name]}
        )
    return {"index": index, "alias": alias, "index_created": created, "replicas": replicas, "roles": sorted(mapped)}

"""Idempotent set-up of the listing index and of who may use it (fine-grained access control).

Run by the stack on every deploy whose inputs change (and safe to run again by hand):
1. the index template (mapping from index_template.json, replicas for this stack);
2. the versioned index `<alias>-v<schema_version>` behind the alias, created once; replicas kept in
   step with the stack afterwards;
3. two OpenSearch security roles, writer (bulk index/delete) and reader (search), mapped to the
   indexer's and the search API's IAM role ARNs as backend roles;
4. the listing history: an append-only record of every change (the indexer writes it through the
   write alias ``<alias>-history``) over rollover indices ``<alias>-history-000001``, ... and an
   Index State Management policy that rolls the write index over and, when the domain has the
   tiers (input ``tiers``), moves the read-only indices to UltraWarm and then to cold storage by
   age. Listings themselves change in place, so they stay hot: UltraWarm indices are read-only
   (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ultrawarm.html).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from opensearchpy.exceptions import NotFoundError, RequestError

TEMPLATE_PATH = Path(__file__).with_name("index_template.json")
ALIAS_RE = re.compile(r"[a-z][a-z0-9_-]{0,62}")
ROLE_ARN_RE = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
MAX_REPLICAS = 2
ROLLOVER_DAYS = 30
HISTORY_MAPPING = {
    "dynamic": "strict",
    "properties": {
        "listing_id": {"type": "keyword"},
        "version": {"type": "long"},
        "op": {"type": "keyword"},
        "changed_at": {"type": "date"},
        "listing": {"type": "object", "enabled": False},  # kept, not indexed: read back, never searched
    },
}


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
    tiers = event.get("tiers")
    if tiers is not None:
        warm, cold = (tiers.get(k) if isinstance(tiers, dict) else None for k in ("warm_after_days", "cold_after_days"))
        if (
            not all(isinstance(d, int) and not isinstance(d, bool) for d in (warm, cold))
            or not ROLLOVER_DAYS < warm < cold
        ):
            problems.append(
                f"tiers must be {{warm_after_days, cold_after_days}}, whole days with {ROLLOVER_DAYS} "
                f"(the rollover age) < warm < cold (got {tiers!r})"
            )
    for key in ("writer_role_arns", "reader_role_arns"):
        arns = event.get(key)
        if (
            not isinstance(arns, list)
            or not arns
            or not all(isinstance(a, str) and ROLE_ARN_RE.fullmatch(a) for a in arns)
        ):
            problems.append(f"{key} must be a non-empty list of IAM role ARNs (got {arns!r})")
    if problems:
        raise ValueError("invalid bootstrap input: " + "; ".join(problems))
    return {
        "alias": alias,
        "replicas": replicas,
        "writer_role_arns": event["writer_role_arns"],
        "reader_role_arns": event["reader_role_arns"],
        "tiers": tiers,
    }


def history_policy(alias: str, tiers: dict[str, int] | None) -> dict[str, Any]:
    """Hot (written, rolled over every ROLLOVER_DAYS), then read-only: to UltraWarm at
    ``warm_after_days`` and cold storage at ``cold_after_days`` of index age. The actions are the
    ones OpenSearch Service documents for automating tier migrations
    (https://docs.aws.amazon.com/opensearch-service/latest/developerguide/ism.html#ism-example-hot-warm-cold
    and ultrawarm.html#ultrawarm-ism); without tiers the indices only roll over and stay hot."""
    hot = {"name": "hot", "actions": [{"rollover": {"min_index_age": f"{ROLLOVER_DAYS}d"}}], "transitions": []}
    states = [hot]
    if tiers:
        hot["transitions"] = [{"state_name": "warm", "conditions": {"min_index_age": f"{tiers['warm_after_days']}d"}}]
        states += [
            {
                "name": "warm",
                "actions": [{"retry": {"count": 5, "delay": "1h"}, "warm_migration": {}}],
                "transitions": [
                    {"state_name": "cold", "conditions": {"min_index_age": f"{tiers['cold_after_days']}d"}}
                ],
            },
            {"name": "cold", "actions": [{"cold_migration": {"timestamp_field": "changed_at"}}], "transitions": []},
        ]
    return {
        "policy": {
            "description": f"{alias} history: roll over monthly" + (", then UltraWarm, then cold" if tiers else ""),
            "default_state": "hot",
            "states": states,
            "ism_template": [{"index_patterns": [f"{alias}-history-*"], "priority": 100}],
        }
    }


def _put_policy(client: Any, policy_id: str, body: dict[str, Any]) -> None:
    """Creates or replaces the policy; replacing needs the current sequence number and term."""
    path = f"/_plugins/_ism/policies/{policy_id}"
    try:
        current = client.transport.perform_request("GET", path)
    except NotFoundError:
        client.transport.perform_request("PUT", path, body=body)
        return
    client.transport.perform_request(
        "PUT", path, body=body, params={"if_seq_no": current["_seq_no"], "if_primary_term": current["_primary_term"]}
    )


def _history(client: Any, alias: str, replicas: int, tiers: dict[str, int] | None) -> bool:
    """Template, policy and the first rollover index behind the write alias; True when created."""
    history = f"{alias}-history"
    client.transport.perform_request(
        "PUT",
        f"/_index_template/{history}",
        body={
            "index_patterns": [f"{history}-*"],
            "priority": 200,  # above the listing template, which matches too
            "template": {
                "settings": {
                    "index": {"number_of_shards": 1, "number_of_replicas": replicas},
                    "plugins.index_state_management.rollover_alias": history,
                },
                "mappings": HISTORY_MAPPING,
            },
        },
    )
    _put_policy(client, f"{history}-tiers", history_policy(alias, tiers))
    if client.indices.exists_alias(name=history):
        return False
    try:
        client.indices.create(index=f"{history}-000001", body={"aliases": {history: {"is_write_index": True}}})
    except RequestError as exc:  # another run created it first
        if exc.error != "resource_already_exists_exception":
            raise
        return False
    return True


def roles(alias: str) -> dict[str, dict[str, Any]]:
    patterns = [alias, f"{alias}-*"]
    return {
        f"{alias}_writer": {
            "description": "search indexer: bulk index and delete listing documents",
            "cluster_permissions": ["indices:data/write/bulk"],
            "index_permissions": [
                {
                    "index_patterns": patterns,
                    "allowed_actions": [
                        "indices:data/write/index",
                        "indices:data/write/delete",
                        "indices:data/write/bulk*",
                    ],
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
    history_created = _history(client, alias, replicas, settings["tiers"])
    return {
        "index": index,
        "alias": alias,
        "index_created": created,
        "replicas": replicas,
        "roles": sorted(mapped),
        "history_alias": f"{alias}-history",
        "history_created": history_created,
        "tiers": settings["tiers"] is not None,
    }

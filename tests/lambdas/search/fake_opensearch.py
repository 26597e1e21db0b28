"""A loopback HTTP server that answers the parts of the OpenSearch REST API the search functions use.

It is deliberately strict where the real service is: every request must carry a valid SigV4
signature for service `es`; `_bulk` applies external versioning (equal or older versions are 409
conflicts, deletes of missing documents are 404 `not_found`) and a strict mapping (unknown fields
and wrongly typed values are 400s). Faults can be injected per document id or per request.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AUTH_RE = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[^/]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request, "
    r"SignedHeaders=(?P<signed>[^,]+), Signature=(?P<signature>[0-9a-f]{64})"
)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    signature_ok: bool
    signed_scope: tuple[str, str] | None  # (region, service)

    def json(self) -> Any:
        return json.loads(self.body)

    def ndjson(self) -> list[Any]:
        return [json.loads(line) for line in self.body.decode().splitlines()]


def verify_sigv4(
    method: str, url: str, headers: dict[str, str], body: bytes, credentials: Credentials
) -> tuple[bool, tuple[str, str] | None]:
    match = AUTH_RE.fullmatch(headers.get("authorization", ""))
    if not match or match["key"] != credentials.access_key:
        return False, None
    if headers.get("x-amz-content-sha256") != hashlib.sha256(body).hexdigest():
        return False, None  # the signed payload hash is not this body
    signed = match["signed"].split(";")
    request = AWSRequest(method=method, url=url, data=body, headers={name: headers.get(name, "") for name in signed})
    request.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(credentials, match["service"], match["region"])
    expected = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    return expected == match["signature"], (match["region"], match["service"])


class MappingRejects(Exception):
    def __init__(self, error_type: str, reason: str):
        super().__init__(reason)
        self.error_type, self.reason = error_type, reason


def check_value(field_name: str, spec: dict[str, Any], value: Any) -> None:
    values = value if isinstance(value, list) else [value]
    kind = spec.get("type", "object")
    for item in values:
        if item is None:
            continue
        ok = {
            "keyword": isinstance(item, str),
            "text": isinstance(item, str),
            "boolean": isinstance(item, bool),
            "integer": isinstance(item, int) and not isinstance(item, bool),
            "short": isinstance(item, int) and not isinstance(item, bool),
            "long": isinstance(item, int) and not isinstance(item, bool),
            "scaled_float": isinstance(item, (int, float)) and not isinstance(item, bool),
            "half_float": isinstance(item, (int, float)) and not isinstance(item, bool),
            "float": isinstance(item, (int, float)) and not isinstance(item, bool),
            "date": isinstance(item, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T.*)?", item) is not None,
            "geo_point": isinstance(item, dict) and set(item) == {"lat", "lon"},
        }.get(kind, True)
        if not ok:
            raise MappingRejects("mapper_parsing_exception", f"failed to parse field [{field_name}] of type [{kind}]")


def check_document(properties: dict[str, Any], document: dict[str, Any]) -> None:
    for name, value in document.items():
        if name not in properties:
            raise MappingRejects(
                "strict_dynamic_mapping_exception",
                f"mapping set to strict, dynamic introduction of [{name}] within [_doc] is not allowed",
            )
        check_value(name, properties[name], value)


@dataclass
class FakeOpenSearch:
    credentials: Credentials
    region: str
    # index name -> mapping properties (None: accept any document); aliases resolve to indices
    indices: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    search_response: dict[str, Any] = field(
        default_factory=lambda: {
            "took": 1,
            "timed_out": False,
            "hits": {"total": {"value": 0, "relation": "eq"}, "max_score": None, "hits": []},
        }
    )
    record_bodies: bool = True

    def __post_init__(self) -> None:
        self.requests: list[Recorded] = []
        self.docs: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self.tombstones: dict[tuple[str, str], int] = {}
        self.templates: dict[str, Any] = {}
        self.index_settings: dict[str, dict[str, Any]] = {}
        self.security: dict[str, dict[str, Any]] = defaultdict(dict)
        # ISM: policy id -> {"policy", "_seq_no", "_primary_term"}; index -> the policy managing it
        self.ism_policies: dict[str, dict[str, Any]] = {}
        self.ism_managed: dict[str, str] = {}
        self._item_faults: dict[str, deque] = defaultdict(deque)
        self._request_faults: deque = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- fault injection -------------------------------------------------------------------
    def fail_item(self, doc_id: str, status: int, error_type: str, reason: str = "injected", times: int = 1) -> None:
        self._item_faults[doc_id].extend([(status, error_type, reason)] * times)

    def fail_request(self, status: int, body: dict[str, Any] | None = None, times: int = 1) -> None:
        self._request_faults.extend(
            [(status, body or {"error": {"type": "injected", "reason": "injected"}, "status": status})] * times
        )

    # --- lifecycle -------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeOpenSearch:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs (40 ms)

            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload = fake.handle(
                    self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()

    # --- request handling ------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        split = urlsplit(raw_path)
        ok, scope = verify_sigv4(method, f"http://{headers.get('host', '')}{raw_path}", headers, body, self.credentials)
        with self._lock:
            self.requests.append(
                Recorded(
                    method, split.path, parse_qs(split.query), headers, body if self.record_bodies else b"", ok, scope
                )
            )
            if not ok or scope != (self.region, "es"):
                return 403, {
                    "message": "The request signature we calculated does not match the signature you provided."
                }
            if self._request_faults:
                return self._request_faults.popleft()
            return self._route(method, split.path, body, parse_qs(split.query))

    def _resolve(self, name: str) -> str:
        return self.aliases.get(name, name)

    def _template_for(self, name: str) -> dict[str, Any]:
        """The composable template with the highest priority among those matching (only that one
        applies: https://opensearch.org/docs/latest/im-plugin/index-templates/)."""
        matching = [
            t
            for t in self.templates.values()
            if any(re.fullmatch(p.replace("*", ".*"), name) for p in t["index_patterns"])
        ]
        return max(matching, key=lambda t: t.get("priority", 0), default={})

    def _ism_policy(self, method: str, policy_id: str, body: bytes, query: dict[str, list[str]]) -> tuple[int, Any]:
        """ISM policies API: replacing a policy needs its current if_seq_no and if_primary_term
        (https://opensearch.org/docs/latest/im-plugin/ism/api/#update-policy)."""
        current = self.ism_policies.get(policy_id)
        if method == "GET":
            if current is None:
                return 404, {"error": {"type": "status_exception", "reason": "Policy not found"}, "status": 404}
            return 200, {"_id": policy_id, **current}
        if method != "PUT":
            return 400, {
                "error": {"type": "illegal_argument_exception", "reason": f"unsupported {method}"},
                "status": 400,
            }
        if current is not None and (
            query.get("if_seq_no") != [str(current["_seq_no"])]
            or query.get("if_primary_term") != [str(current["_primary_term"])]
        ):
            return 409, {
                "error": {
                    "type": "version_conflict_engine_exception",
                    "reason": f"[{policy_id}]: version conflict, document already exists",
                },
                "status": 409,
            }
        policy = json.loads(body)["policy"]
        seq_no = 0 if current is None else current["_seq_no"] + 1
        self.ism_policies[policy_id] = {"_seq_no": seq_no, "_primary_term": 1, "policy": policy}
        return (201 if current is None else 200), {
            "_id": policy_id,
            "_seq_no": seq_no,
            "_primary_term": 1,
            "policy": {"policy": policy},
        }

    def _route(self, method: str, path: str, body: bytes, query: dict[str, list[str]] | None = None) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if parts[:3] == ["_plugins", "_ism", "policies"] and len(parts) == 4:
            return self._ism_policy(method, parts[3], body, query or {})
        if parts[:1] == ["_alias"] and len(parts) == 2 and method in ("HEAD", "GET"):
            return (200 if parts[1] in self.aliases else 404), ({} if method == "GET" else None)
        if parts and parts[-1] == "_bulk" and method in ("POST", "PUT"):
            return 200, self._bulk(body, default_index=parts[0] if len(parts) == 2 else None)
        if parts and parts[-1] == "_search" and method in ("GET", "POST"):
            index = self._resolve(parts[0]) if len(parts) == 2 else None
            if index is not None and index not in self.indices:
                return 404, {
                    "error": {"type": "index_not_found_exception", "reason": f"no such index [{parts[0]}]"},
                    "status": 404,
                }
            return 200, self.search_response
        if parts[:1] == ["_index_template"] and len(parts) == 2:
            if method == "PUT":
                self.templates[parts[1]] = json.loads(body)
                return 200, {"acknowledged": True}
            if parts[1] in self.templates:
                return 200, {"index_templates": [{"name": parts[1], "index_template": self.templates[parts[1]]}]}
            return 404, {"error": {"type": "resource_not_found_exception"}, "status": 404}
        if parts[:3] == ["_plugins", "_security", "api"] and len(parts) == 5 and method == "PUT":
            self.security[parts[3]][parts[4]] = json.loads(body)
            return 200, {"status": "OK", "message": f"'{parts[4]}' updated."}
        if len(parts) == 2 and parts[1] == "_settings" and method == "PUT":
            index = self._resolve(parts[0])
            if index not in self.indices:
                return 404, {
                    "error": {"type": "index_not_found_exception", "reason": f"no such index [{parts[0]}]"},
                    "status": 404,
                }
            self.index_settings.setdefault(index, {}).update(json.loads(body)["index"])
            return 200, {"acknowledged": True}
        if len(parts) == 1 and not parts[0].startswith("_"):
            name = parts[0]
            if method == "HEAD":
                return (200 if self._resolve(name) in self.indices else 404), None
            if method == "PUT":
                if name in self.indices:
                    return 400, {
                        "error": {
                            "type": "resource_already_exists_exception",
                            "reason": f"index [{name}] already exists",
                        },
                        "status": 400,
                    }
                spec = json.loads(body or b"{}")
                template = self._template_for(name)
                mappings = spec.get("mappings") or template.get("template", {}).get("mappings", {})
                self.indices[name] = mappings.get("properties") if mappings.get("dynamic") == "strict" else None
                settings = template.get("template", {}).get("settings", {})
                self.index_settings[name] = {
                    **settings.get("index", {}),
                    **{k: v for k, v in settings.items() if k != "index"},
                }
                for alias in spec.get("aliases", {}):
                    self.aliases[alias] = name
                # A policy whose ism_template matches manages the new index from its creation.
                for policy_id, entry in self.ism_policies.items():
                    for ism_template in entry["policy"].get("ism_template", []):
                        if any(re.fullmatch(p.replace("*", ".*"), name) for p in ism_template["index_patterns"]):
                            self.ism_managed[name] = policy_id
                return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}
        return 400, {
            "error": {"type": "illegal_argument_exception", "reason": f"unsupported {method} {path}"},
            "status": 400,
        }

    def _bulk(self, body: bytes, default_index: str | None) -> dict[str, Any]:
        lines = body.decode().splitlines()
        items: list[dict[str, Any]] = []
        position = 0
        while position < len(lines):
            action = json.loads(lines[position])
            position += 1
            ((op, meta),) = action.items()
            source = None
            if op in ("index", "create", "update"):
                source = json.loads(lines[position])
                position += 1
            items.append({op: self._apply(op, meta, source, default_index)})
        return {
            "took": 2,
            "errors": any(next(iter(i.values()))["status"] >= 300 and "error" in next(iter(i.values())) for i in items),
            "items": items,
        }

    def _apply(
        self, op: str, meta: dict[str, Any], source: dict[str, Any] | None, default_index: str | None
    ) -> dict[str, Any]:
        name = meta.get("_index", default_index)
        index = self._resolve(name)
        doc_id = meta["_id"]
        base = {"_index": index, "_id": doc_id}
        if self._item_faults[doc_id]:
            status, error_type, reason = self._item_faults[doc_id].popleft()
            return {**base, "status": status, "error": {"type": error_type, "reason": reason}}
        if index not in self.indices:
            return {
                **base,
                "status": 404,
                "error": {"type": "index_not_found_exception", "reason": f"no such index [{name}]"},
            }
        key = (index, doc_id)
        version = meta.get("version")
        external = meta.get("version_type") == "external"
        current = self.docs[key][0] if key in self.docs else self.tombstones.get(key)
        if op == "create" and key in self.docs:
            return {
                **base,
                "status": 409,
                "error": {
                    "type": "version_conflict_engine_exception",
                    "reason": f"[{doc_id}]: version conflict, document already exists (current version [{current}])",
                },
            }
        if external and current is not None and version <= current:
            return {
                **base,
                "status": 409,
                "error": {
                    "type": "version_conflict_engine_exception",
                    "reason": f"[{doc_id}]: version conflict, current version [{current}] is higher or equal to the one provided [{version}]",
                },
            }
        new_version = version if external else (current or 0) + 1
        if op == "delete":
            if key not in self.docs:
                self.tombstones[key] = new_version
                return {**base, "_version": new_version, "result": "not_found", "status": 404}
            del self.docs[key]
            self.tombstones[key] = new_version
            return {**base, "_version": new_version, "result": "deleted", "status": 200}
        properties = self.indices[index]
        if properties is not None:
            try:
                check_document(properties, source)
            except MappingRejects as exc:
                return {**base, "status": 400, "error": {"type": exc.error_type, "reason": exc.reason}}
        created = key not in self.docs
        self.docs[key] = (new_version, source)
        self.tombstones.pop(key, None)
        return {
            **base,
            "_version": new_version,
            "result": "created" if created else "updated",
            "status": 201 if created else 200,
        }

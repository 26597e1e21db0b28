"""SARIF 2.1.0 of the policy findings, for GitHub code scanning (as Checkov and conftest upload theirs).

One ``reportingDescriptor`` per policy of every pack that ran (its description, its enforcement
level as the default level, and help saying how to configure or waive it), one ``result`` per
finding, located at the program line that registered the resource (``source`` in the JSON report,
recorded by ``preview.callsites``); a stack-level finding points at the stack's config file.
``partialFingerprints`` identify a finding across runs (pack, policy, resource path, text) so code
scanning tracks it instead of opening a new alert when lines move.

Format: OASIS SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html);
GitHub's subset: https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from .report import _violation_text, findings_by_pack, resource_label

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "render_sarif", "sarif_log"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "blueprints-offline-preview"
# Enforcement level -> SARIF level (3.27.10): a mandatory finding fails the preview, an advisory one warns.
_LEVEL = {"mandatory": "error", "remediate": "error", "advisory": "warning", "disabled": "none"}


def _rules(document: dict) -> list[dict]:
    rules: dict[str, dict] = {}
    for pack in document.get("packs", []):
        for policy in pack.get("policies", []):
            rule_id = f"{pack['name']}/{policy['name']}"
            description = policy.get("description") or policy["name"]
            waivable = (
                " or list a reviewed exception (with its reason) under `exceptions`" if "exceptions" in policy else ""
            )
            rules[rule_id] = {
                "id": rule_id,
                "name": policy["name"],
                "shortDescription": {"text": description},
                "fullDescription": {"text": f"{description} (policy pack {pack['name']}, {policy['level']})"},
                "help": {
                    "text": f"{description}\nEnforcement level: {policy['level']}. Fix the resource, or set the "
                    f"policy's level or config in the pack's config (--policy-pack-config){waivable}.",
                    "markdown": f"**{description}**\n\nEnforcement level: `{policy['level']}`. Fix the resource, "
                    "or set the policy's level or config in the pack's config "
                    f"(`--policy-pack-config`){waivable}.",
                },
                "defaultConfiguration": {"level": _LEVEL.get(policy["level"], "warning")},
                "properties": {"pack": pack["name"], "enforcementLevel": policy["level"]},
            }
    for v in document["violations"]:  # a finding of a policy the pack did not list still gets a rule
        rule_id = f"{v['pack']}/{v['policy']}"
        rules.setdefault(
            rule_id,
            {
                "id": rule_id,
                "name": v["policy"],
                "shortDescription": {"text": v["policy"]},
                "defaultConfiguration": {"level": _LEVEL.get(v["level"], "warning")},
                "properties": {"pack": v["pack"], "enforcementLevel": v["level"]},
            },
        )
    return list(rules.values())


def _location(document: dict, resource: dict | None) -> dict:
    source = (resource or {}).get("source")
    file, line = (source["file"], source["line"]) if source else (f"Pulumi.{document['stack']}.yaml", 1)
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(int(line), 1)},
        }
    }
    if resource:
        location["logicalLocations"] = [
            {"fullyQualifiedName": resource["urn"], "name": resource["name"], "kind": "resource"}
        ]
    return location


def _fingerprint(v: dict, text: str) -> str:
    urn_path = (v.get("urn") or "").split("::", 2)[-1]  # without stack and project
    return hashlib.sha256("\0".join((v["pack"], v["policy"], urn_path, text)).encode()).hexdigest()


def sarif_log(document: dict) -> dict:
    rules = _rules(document)
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    by_urn = {r["urn"]: r for r in document["resources"]}
    results = []
    for v in document["violations"]:
        resource = by_urn.get(v.get("urn") or "")
        text = _violation_text(v["message"])
        rule_id = f"{v['pack']}/{v['policy']}"
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": _LEVEL.get(v["level"], "warning"),
                "message": {"text": f"{resource_label(resource)}: {text}"},
                "locations": [_location(document, resource)],
                "partialFingerprints": {"pulumiFinding/v1": _fingerprint(v, text)},
            }
        )
    waived = [
        {"policy": f"{pack.name}/{e['policy']}", **{k: e[k] for k in ("resource", "token", "reason") if e.get(k)}}
        for pack in findings_by_pack(document)
        for e in pack.exceptions
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "rules": rules,
                        "informationUri": "https://www.pulumi.com/docs/iac/using-pulumi/crossguard/",
                    }
                },
                # One category per stack: code scanning keeps each stack's alerts apart.
                "automationDetails": {"id": f"offline-preview/{document['stack']}/"},
                "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the Pulumi project directory"}}},
                "results": results,
                "properties": {"project": document["project"], "stack": document["stack"], "exceptions": waived},
            }
        ],
    }


def render_sarif(document: dict) -> str:
    return json.dumps(sarif_log(document), indent=2)

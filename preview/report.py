"""The preview result as data (one JSON document) and its renderings.

``build_document`` turns a program run plus the analyzers' diagnostics into the JSON document
``python -m preview --format json`` prints; renderers (``render_json``, ``render_text``) only read
that document, so another format (markdown for PR comments) is one more function of the document.

The cost estimate comes from the cost pack as an ADVISORY diagnostic of the stack policy
``monthly-cost-estimate`` whose message has a line ``COST_ESTIMATE_JSON {...}``. It is lifted into
``cost`` and not listed among violations.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .analyzer import Diagnostic
    from .fake_aws import ResourceRecord

__all__ = ["COST_POLICY", "COST_PREFIX", "build_document", "exit_code", "extract_cost", "render_json",
           "render_text"]

COST_POLICY = "monthly-cost-estimate"
COST_PREFIX = "COST_ESTIMATE_JSON "
SECRET_MASK = "[secret]"


def extract_cost(diagnostics: Sequence[Diagnostic]) -> tuple[Optional[dict], list[Diagnostic], list[str]]:
    """(cost document or None, the other diagnostics, warnings about malformed estimates)."""
    cost: Optional[dict] = None
    rest: list[Diagnostic] = []
    warnings: list[str] = []
    for d in diagnostics:
        line = next((ln for ln in d.message.splitlines() if ln.startswith(COST_PREFIX)), None)
        if d.policy != COST_POLICY or line is None:
            rest.append(d)
            continue
        try:
            parsed = json.loads(line[len(COST_PREFIX):])
            if not isinstance(parsed, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            warnings.append(f"{d.pack}/{COST_POLICY}: unreadable cost estimate ({exc})")
            continue
        if cost is None:
            cost = parsed
        else:
            warnings.append(f"{d.pack}/{COST_POLICY}: a second cost estimate was ignored")
    return cost, rest, warnings


def _masked(values: dict, secret_keys: Sequence[str]) -> dict:
    if not secret_keys:
        return values
    return {k: (SECRET_MASK if k in secret_keys else v) for k, v in values.items()}


def _provider_urn(ref: str) -> str:
    return ref.rsplit("::", 1)[0] if ref else ""


def build_document(*, project: str, stack: str, records: Sequence[ResourceRecord], outputs: dict,
                   diagnostics: Sequence[Diagnostic], packs: Sequence[dict] = (),
                   warnings: Sequence[str] = (), logs: Sequence[dict] = (),
                   default_provider: Optional[dict] = None) -> dict:
    cost, violations, cost_warnings = extract_cost(diagnostics)
    resources = [{
        "urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent, "provider": _provider_urn(r.provider),
        "custom": r.custom, "id": r.id, "region": r.region, "account": r.account,
        "inputs": _masked(r.inputs, r.secret_keys), "outputs": _masked(r.outputs, r.secret_keys),
    } for r in records]
    real = [r for r in records if r.custom and not r.is_provider]
    by_level = Counter(v.level for v in violations)
    mandatory = by_level.get("mandatory", 0) + by_level.get("remediate", 0)
    summary = {
        "resources": len(real),
        "components": sum(1 for r in records if not r.custom),
        "providers": sum(1 for r in records if r.is_provider),
        "byType": dict(sorted(Counter(r.type for r in real).items())),
        "byRegion": dict(sorted(Counter(r.region or "global" for r in real).items())),
        "byAccount": dict(sorted(Counter(r.account or "-" for r in real).items())),
        "byRegionAccount": dict(sorted(Counter(f"{r.account}/{r.region or 'global'}" for r in real).items())),
        "violations": {level: by_level.get(level, 0) for level in ("mandatory", "advisory", "remediate")
                       if by_level.get(level, 0) or level != "remediate"},
        "verdict": "fail" if mandatory else "pass",
    }
    providers = [{"name": r.name, "urn": r.urn, "region": r.region, "account": r.account}
                 for r in records if r.type == "pulumi:providers:aws"]
    if default_provider and any(r.custom and not r.is_provider and not r.provider and r.type.startswith("aws:")
                                for r in records):
        providers.insert(0, {"name": "default", "urn": "", **default_provider})
    return {
        "project": project, "stack": stack, "resources": resources, "providers": providers,
        "violations": [v.to_json() for v in violations], "summary": summary, "cost": cost,
        "outputs": outputs, "packs": list(packs), "warnings": list(warnings) + cost_warnings, "logs": list(logs),
    }


def exit_code(document: dict) -> int:
    return 1 if document["summary"]["verdict"] == "fail" else 0


def render_json(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=False, default=str)


# --------------------------------------------------------------------------------------------
# Text (rich)
# --------------------------------------------------------------------------------------------

_LEVEL_STYLE = {"mandatory": "bold red", "remediate": "bold red", "advisory": "yellow", "disabled": "dim"}


def _short_type(token: str) -> str:
    # aws:ec2/vpc:Vpc -> aws:ec2:Vpc; components keep their token.
    parts = token.split(":")
    if len(parts) == 3 and "/" in parts[1]:
        return f"{parts[0]}:{parts[1].split('/')[0]}:{parts[2]}"
    return token


def _violation_text(message: str) -> str:
    # The SDK sends "<policy description>\n<violation>"; the violation is the useful part.
    lines = [ln for ln in message.splitlines() if ln.strip()]
    return " ".join(lines[1:]) if len(lines) > 1 else (lines[0] if lines else "")


def _money(value: Any) -> str:
    return f"{float(value):,.2f}" if isinstance(value, (int, float)) else "-"


def cost_notes(cost: dict, *, listed: int = 8) -> list[str]:
    """What the cost figures leave out and rest on, one sentence each (text and markdown share them)."""
    notes = []
    if cost.get("pricesAsOf"):  # an estimate from a pack without declared usage support has neither
        notes.append(f"Prices as of {cost['pricesAsOf']}; usage "
                     + (f"declared in {cost['usageSource']}." if cost.get("usageSource") else "not declared."))
    waiting = cost.get("dependsOnUsage") or []
    if waiting:
        names = ", ".join(item["name"] for item in waiting[:listed]) + (", ..." if len(waiting) > listed else "")
        notes.append(f"Depends on usage (priced 0, no usage declared): {len(waiting)} resource(s): {names}.")
    not_priced = cost.get("notPriced") or []
    resources = sorted({item["name"] for item in not_priced if item.get("charge") == "the resource"})
    if resources:
        notes.append(f"Not priced: {', '.join(resources)}.")
    by_charge: dict[str, list[str]] = {}
    for item in not_priced:
        if item.get("charge") != "the resource":
            names = by_charge.setdefault(item["charge"], [])
            if item.get("name"):
                names.append(item["name"])
    if by_charge:
        notes.append("Not in the estimate: " + "; ".join(
            f"{charge} ({', '.join(names[:listed])}{', ...' if len(names) > listed else ''})" if names else charge
            for charge, names in sorted(by_charge.items())) + ".")
    if cost.get("assumptions"):
        notes.append("Assumptions: " + "; ".join(cost["assumptions"]) + ".")
    return notes


def cost_component_rows(cost: dict) -> list[tuple[str, str, str, str, str]]:
    """(resource, component, quantity x unit price, kind, monthly) for every priced component."""
    rows = []
    for resource in cost.get("resources") or []:
        for part in resource.get("components") or []:
            rows.append((resource.get("name") or resource["urn"], part["name"],
                         f"{part['quantity']:,.4g} {part['unit']} x {part['unitPrice']:g}", part["kind"],
                         _money(part["monthly"])))
    return rows


def _print_cost(console: Any, cost: dict, *, details: bool) -> None:
    from rich import box
    from rich.table import Table

    currency = cost.get("currency", "USD")
    table = Table(box=box.SIMPLE, title=f"Estimated monthly cost ({currency})", title_justify="left",
                  show_edge=False)
    table.add_column("component")
    table.add_column("monthly", justify="right")
    for name, value in sorted((cost.get("byComponent") or {}).items(), key=lambda kv: -float(kv[1] or 0)):
        table.add_row(name, _money(value))
    for region, value in sorted((cost.get("byRegion") or {}).items()):
        table.add_row(f"[dim]Region {region}[/]", f"[dim]{_money(value)}[/]")
    if "fixed" in cost:
        table.add_row("fixed (billed with no traffic)", _money(cost.get("fixed")))
        table.add_row("usage (declared)", _money(cost.get("usage")))
    table.add_row("[bold]total[/]", f"[bold]{_money(cost.get('total'))}[/]")
    if cost.get("low") is not None and cost.get("high") is not None:
        table.add_row("range: idle floor - ceiling the inputs allow", f"{_money(cost['low'])} - {_money(cost['high'])}")
    budget = cost.get("budget")
    if isinstance(budget, (int, float)) and not cost.get("budgetVerdict"):  # an estimate without its own verdict
        total = float(cost.get("total") or 0)
        verdict = (f"[red]over by {_money(total - budget)}[/]" if total > budget
                   else f"[green]under by {_money(budget - total)}[/]")
        table.add_row("budget", f"{_money(budget)} ({verdict})")
    console.print(table)
    if cost.get("budgetVerdict"):
        over = cost["budgetVerdict"].startswith("OVER")
        console.print(f"Budget: [{'red' if over else 'green'}]{cost['budgetVerdict']}[/].")
    for note in cost_notes(cost):
        console.print(note, markup=False)
    if details:
        parts = Table(box=box.SIMPLE, title="Cost components", title_justify="left", show_edge=False)
        for column in ("resource", "component", "quantity x unit price", "kind"):
            parts.add_column(column)
        parts.add_column("monthly", justify="right")
        for row in cost_component_rows(cost):
            parts.add_row(*row)
        console.print(parts)


def render_text(document: dict, console: Any = None, *, cost_details: bool = False) -> None:
    """Print the document for a person: tree per Region/account, counts, violations, cost (with each
    resource's cost components when ``cost_details``), verdict."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.tree import Tree

    console = console or Console()
    resources = document["resources"]
    by_urn = {r["urn"]: r for r in resources}
    summary = document["summary"]
    console.rule(f"[bold]Offline preview[/] {document['project']} / stack [bold]{document['stack']}[/]")

    # Providers, shown as where they deploy.
    providers = document.get("providers") or []
    if providers:
        table = Table(box=box.SIMPLE, title="Providers", title_justify="left", show_edge=False)
        for column in ("provider", "region", "account"):
            table.add_column(column)
        for p in providers:
            table.add_row(p["name"], p["region"] or "-", p["account"] or "-")
        console.print(table)

    # Resource tree, grouped per account and Region; components as branches.
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in resources:
        if r["custom"] and not r["type"].startswith("pulumi:providers:"):
            groups[(r["account"] or "-", r["region"] or "global")].append(r)
    for (account, region), members in sorted(groups.items()):
        tree = Tree(f"[bold cyan]{region}[/]  account [bold]{account}[/]  ({len(members)} resources)")
        nodes: dict[str, Any] = {}

        def node_for(urn: Optional[str], tree: Tree = tree, nodes: dict = nodes) -> Any:
            parent = by_urn.get(urn) if urn else None
            if parent is None or parent["custom"]:
                return tree
            if urn not in nodes:
                nodes[urn] = node_for(parent["parent"]).add(
                    f"[magenta]{parent['type']}[/] [bold]{parent['name']}[/]")
            return nodes[urn]

        for r in members:
            ident = f" [dim]{r['id']}[/]" if r["id"] and r["id"] != r["name"] else ""
            node_for(r["parent"]).add(f"{_short_type(r['type'])} [bold]{r['name']}[/]{ident}")
        console.print(tree)

    # Counts.
    table = Table(box=box.SIMPLE, title="Counts", title_justify="left", show_edge=False)
    table.add_column("type")
    table.add_column("count", justify="right")
    for token, count in summary["byType"].items():
        table.add_row(token, str(count))
    table.add_row("[bold]resources[/]", f"[bold]{summary['resources']}[/]")
    table.add_row("components", str(summary["components"]))
    table.add_row("providers", str(summary["providers"]))
    console.print(table)

    # Violations per pack.
    violations = document["violations"]
    if violations:
        per_pack: dict[str, list[dict]] = defaultdict(list)
        for v in violations:
            per_pack[v["pack"]].append(v)
        for pack, items in per_pack.items():
            table = Table(box=box.SIMPLE, title=f"Policy pack {pack}", title_justify="left", show_edge=False)
            for column in ("level", "policy", "resource", "message"):
                table.add_column(column, overflow="fold")
            for v in sorted(items, key=lambda v: (v["level"] != "mandatory", v["policy"], v["urn"])):
                res = by_urn.get(v["urn"])
                where = f"{_short_type(res['type'])} {res['name']}" if res else (v["urn"] or "(stack)")
                style = _LEVEL_STYLE.get(v["level"], "")
                table.add_row(f"[{style}]{v['level']}[/]", v["policy"], where, _violation_text(v["message"]))
            console.print(table)
    else:
        packs = ", ".join(p["name"] for p in document.get("packs", [])) or "no policy packs"
        console.print(f"No policy violations ({packs}).")

    # Cost.
    cost = document.get("cost")
    if cost:
        _print_cost(console, cost, details=cost_details)
    else:
        console.print("Cost: no estimate available (no policy pack reported monthly-cost-estimate).")

    for warning in document.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}")
    for log in document.get("logs", []):
        if log.get("severity") in ("warning", "error"):
            console.print(f"[yellow]program {log['severity']}:[/] {log['message']}")

    counts = summary["violations"]
    mandatory = counts.get("mandatory", 0) + counts.get("remediate", 0)
    advisory = counts.get("advisory", 0)
    if mandatory:
        console.print(f"[bold red]FAIL[/]: {mandatory} mandatory violation(s), {advisory} advisory; "
                      f"{summary['resources']} resources")
    else:
        extra = f" with {advisory} advisory violation(s)" if advisory else ""
        console.print(f"[bold green]PASS[/]{extra}: {summary['resources']} resources, no mandatory violations")

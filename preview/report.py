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
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .analyzer import Diagnostic
    from .fake_aws import ResourceRecord

__all__ = [
    "COST_POLICY",
    "COST_PREFIX",
    "PackFindings",
    "PlanRow",
    "RuleFindings",
    "build_document",
    "exit_code",
    "extract_cost",
    "findings_by_pack",
    "plan_counts",
    "plan_rows",
    "policy_lines",
    "render_json",
    "render_text",
    "resource_label",
]

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
            parsed = json.loads(line[len(COST_PREFIX) :])
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


def build_document(
    *,
    project: str,
    stack: str,
    records: Sequence[ResourceRecord],
    outputs: dict,
    diagnostics: Sequence[Diagnostic],
    packs: Sequence[dict] = (),
    warnings: Sequence[str] = (),
    logs: Sequence[dict] = (),
    default_provider: Optional[dict] = None,
    call_sites: Optional[dict] = None,
) -> dict:
    """``call_sites``: where the program registered each resource (``preview.callsites``), kept as
    each resource's ``source`` ({file, line}) for SARIF locations."""
    from .callsites import site_of

    cost, violations, cost_warnings = extract_cost(diagnostics)
    sources = {r.urn: site_of(call_sites or {}, r.urn or "", r.parent) for r in records}
    resources = [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "provider": _provider_urn(r.provider),
            "custom": r.custom,
            "id": r.id,
            "region": r.region,
            "account": r.account,
            "inputs": _masked(r.inputs, r.secret_keys),
            "outputs": _masked(r.outputs, r.secret_keys),
            **({"source": sources[r.urn]} if sources[r.urn] else {}),
        }
        for r in records
    ]
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
        "violations": {
            level: by_level.get(level, 0)
            for level in ("mandatory", "advisory", "remediate")
            if by_level.get(level, 0) or level != "remediate"
        },
        "verdict": "fail" if mandatory else "pass",
    }
    providers = [
        {"name": r.name, "urn": r.urn, "region": r.region, "account": r.account}
        for r in records
        if r.type == "pulumi:providers:aws"
    ]
    if default_provider and any(
        r.custom and not r.is_provider and not r.provider and r.type.startswith("aws:") for r in records
    ):
        providers.insert(0, {"name": "default", "urn": "", **default_provider})
    return {
        "project": project,
        "stack": stack,
        "resources": resources,
        "providers": providers,
        "violations": [v.to_json() for v in violations],
        "summary": summary,
        "cost": cost,
        "outputs": outputs,
        "packs": list(packs),
        "warnings": list(warnings) + cost_warnings,
        # The SDK's debug chatter is not part of a report (the CLI shows it only with -v).
        "logs": [log for log in logs if log.get("severity") != "debug"],
    }


def exit_code(document: dict) -> int:
    return 1 if document["summary"]["verdict"] == "fail" else 0


def render_json(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=False, default=str)


# --------------------------------------------------------------------------------------------
# Views of the document shared by the renderers (text, markdown, SARIF)
# --------------------------------------------------------------------------------------------

STACK_TYPE = "pulumi:pulumi:Stack"
# The operation markers of `pulumi preview` (pulumi/pulumi pkg/display/..., deploy.StepOp prefixes).
OP_SYMBOL = {"create": "+", "update": "~", "delete": "-", "replace": "+-", "same": " "}
# Every level the engine knows; "disabled" policies never report.
_LEVEL_ORDER = {"mandatory": 0, "remediate": 0, "advisory": 1}


def _short_type(token: str) -> str:
    # aws:ec2/vpc:Vpc -> aws:ec2:Vpc, as the CLI shows types; components keep their token.
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


def stack_urn(document: dict) -> str:
    return f"urn:pulumi:{document['stack']}::{document['project']}::{STACK_TYPE}::{document['project']}-{document['stack']}"


def resource_label(resource: Optional[dict]) -> str:
    """How a finding names its resource, as the CLI does: ``(type: name)`` without the parentheses."""
    return f"{_short_type(resource['type'])}: {resource['name']}" if resource else "stack"


@dataclass
class PlanRow:
    op: str  # create | update | delete | replace | same
    depth: int
    last: list[bool]  # for each ancestor level: was that ancestor the last child (draws the tree)
    resource: dict


def plan_rows(document: dict) -> list[PlanRow]:
    """One row per resource in registration order, children under their parent: the stack, the
    components, the explicit providers and the resources (the engine hides default providers).
    With a diff (``--compare-to``), deleted resources are placed under their parent and unchanged
    ones are left out unless a changed one sits below them, as ``pulumi preview`` shows a diff."""
    diff = document.get("diff")
    ops = {entry["urn"]: entry["op"] for entry in diff["resources"]} if diff else {}
    root = {
        "urn": stack_urn(document),
        "type": STACK_TYPE,
        "name": f"{document['project']}-{document['stack']}",
        "parent": None,
        "custom": False,
        "id": None,
    }
    resources = [r for r in document["resources"] if r["urn"] != root["urn"]]
    if diff:
        resources += [entry["resource"] for entry in diff["resources"] if entry["op"] == "delete"]
    children: dict[str, list[dict]] = defaultdict(list)
    known = {r["urn"] for r in resources}
    for r in resources:
        parent = r.get("parent")
        children[parent if parent in known else root["urn"]].append(r)

    def visible(r: dict) -> bool:
        return not diff or ops.get(r["urn"], "same") != "same" or any(visible(c) for c in children[r["urn"]])

    rows: list[PlanRow] = []

    def walk(r: dict, depth: int, last: list[bool]) -> None:
        default = "same" if diff else "create"
        rows.append(PlanRow(ops.get(r["urn"], default), depth, last, r))
        shown = [c for c in children[r["urn"]] if visible(c)]
        for index, child in enumerate(shown):
            walk(child, depth + 1, [*last, index == len(shown) - 1])

    if not diff and not resources:
        return []
    if visible(root) or not diff:
        walk(root, 0, [])
    return rows


def plan_counts(document: dict) -> dict[str, int]:
    """The ``Resources:`` summary: how many rows of each operation (unchanged ones counted, not shown)."""
    diff = document.get("diff")
    if diff:
        return dict(diff["counts"])
    return {"create": 1 + sum(1 for r in document["resources"] if r["urn"] != stack_urn(document))}


@dataclass
class RuleFindings:
    """One policy's findings: the same text on several resources is listed once with the resources."""

    pack: str
    policy: str
    level: str
    description: str
    texts: dict[str, list[str]]  # finding text -> resource labels

    @property
    def count(self) -> int:
        return sum(len(labels) for labels in self.texts.values())


@dataclass
class PackFindings:
    name: str
    version: str
    directory: str
    rules: list[RuleFindings]
    exceptions: list[dict]  # {policy, resource, token, reason}

    @property
    def status(self) -> str:
        if any(_LEVEL_ORDER.get(r.level) == 0 for r in self.rules):
            return "fail"
        return "warn" if self.rules else "pass"


def _description(message: str, fallback: str) -> str:
    lines = [ln for ln in message.splitlines() if ln.strip()]
    return lines[0] if len(lines) > 1 else fallback


def _without_subject(text: str, resource: Optional[dict]) -> str:
    """The finding without a leading "<resource name> (<type>): " (the security pack names its
    subject), so one text on many resources is listed once, with the resources under it."""
    if resource:
        match = re.match(rf"{re.escape(resource['name'])} \([^()]*\): ", text)
        if match:
            return text[match.end() :]
    return text


def findings_by_pack(document: dict, violations: Optional[Sequence[dict]] = None) -> list[PackFindings]:
    """Findings per pack (packs in the order they ran, clean ones included), per rule (mandatory first),
    with each pack's reviewed exceptions: cdk-nag lists every suppression with its reason, so a waived
    finding leaves a trace."""
    violations = document["violations"] if violations is None else violations
    by_urn = {r["urn"]: r for r in document["resources"]}
    packs = {p["name"]: p for p in document.get("packs", [])}
    for v in violations:
        packs.setdefault(v["pack"], {"name": v["pack"], "version": "", "directory": "", "policies": []})
    result = []
    for name, pack in packs.items():
        described = {p["name"]: p.get("description", "") for p in pack.get("policies", [])}
        rules: dict[tuple[str, str], RuleFindings] = {}
        for v in (v for v in violations if v["pack"] == name):
            key = (v["policy"], v["level"])
            rule = rules.setdefault(
                key,
                RuleFindings(
                    name, v["policy"], v["level"], described.get(v["policy"]) or _description(v["message"], ""), {}
                ),
            )
            resource = by_urn.get(v["urn"])
            text = _without_subject(_violation_text(v["message"]), resource)
            rule.texts.setdefault(text, []).append(resource_label(resource))
        exceptions = [{"policy": p["name"], **e} for p in pack.get("policies", []) for e in p.get("exceptions", [])]
        result.append(
            PackFindings(
                name,
                pack.get("version") or "",
                pack.get("directory") or "",
                sorted(rules.values(), key=lambda r: (_LEVEL_ORDER.get(r.level, 2), r.policy)),
                exceptions,
            )
        )
    return result


# --------------------------------------------------------------------------------------------
# Text, like `pulumi preview`
# --------------------------------------------------------------------------------------------

# Data is printed as it is: no rich markup ("[secret]", "[*]"), no emoji codes (":secret:" in ARNs),
# no highlighting, and no wrapping (long lines stay whole when piped).
LITERAL: dict[str, Any] = {"markup": False, "emoji": False, "highlight": False, "soft_wrap": True}
_PACK_ICON = {"fail": "❌", "warn": "⚠️ ", "pass": "✅"}


def text_console(file: Any = None) -> Any:
    """A console that prints data literally and, when not a terminal, at full width."""
    from rich.console import Console

    class TextConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich's default exits 1 (rich/console.py Console.on_broken_pipe), which reads as a
            # mandatory violation; the CLI (preview.__main__._write_report) keeps the verdict.
            self.quiet = True
            raise BrokenPipeError

    stream = file or sys.stdout
    return TextConsole(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        soft_wrap=True,
        width=None if stream.isatty() else 10_000,
    )


def _tree_prefix(last: list[bool]) -> str:
    if not last:
        return ""
    return "".join("   " if done else "│  " for done in last[:-1]) + ("└─ " if last[-1] else "├─ ")


def plan_lines(document: dict, *, show_ids: bool = False) -> list[str]:
    rows = plan_rows(document)
    cells = [
        (
            OP_SYMBOL[row.op],
            _tree_prefix(row.last) + _short_type(row.resource["type"]),
            row.resource["name"],
            row.op if row.op != "same" else "",
            row.resource.get("id") or "",
        )
        for row in rows
    ]
    type_width = max((len(c[1]) for c in cells), default=4) + 3
    name_width = max((len(c[2]) for c in cells), default=4) + 3
    lines = [f"     {'Type':<{type_width}}{'Name':<{name_width}}Plan" + ("       Id" if show_ids else "")]
    for symbol, type_, name, op, ident in cells:
        line = f" {symbol:<2}  {type_:<{type_width}}{name:<{name_width}}{op}"
        lines.append((f"{line:<{5 + type_width + name_width + 11}}{ident}" if show_ids and ident else line).rstrip())
    return lines


def summary_lines(document: dict) -> list[str]:
    counts = plan_counts(document)
    words = {"create": "to create", "update": "to update", "delete": "to delete", "replace": "to replace"}
    lines = ["Resources:"]
    lines += [
        f"    {OP_SYMBOL[op]} {counts[op]} {words[op]}" if op != "replace" else f"    +-{counts[op]} to replace"
        for op in words
        if counts.get(op)
    ]
    if counts.get("same"):
        lines.append(f"    {counts['same']} unchanged")
    return lines


def grouped_policy_lines(packs: Sequence[PackFindings], *, show_exceptions: bool = True) -> list[str]:
    """The CLI's ``Policies:`` section (a line per pack with its verdict, then each violation), with
    one entry per rule listing its resources, and the exceptions that waived findings."""
    lines = []
    for pack in packs:
        where = f" (local: {_relative(pack.directory)})" if pack.directory else ""
        lines.append(f"    {_PACK_ICON[pack.status]} {pack.name}{'@v' + pack.version if pack.version else ''}{where}")
        for rule in pack.rules:
            count = f"{rule.count} resources" if rule.count > 1 else next(iter(rule.texts.values()))[0]
            lines.append(f"        - [{rule.level}]  {rule.policy}  ({count})")
            if rule.description:
                lines.append(f"          {rule.description}")
            for text, labels in rule.texts.items():
                lines.append(f"          {text}")
                if rule.count > 1:
                    lines += [f"            {label}" for label in labels]
        if show_exceptions and pack.exceptions:
            lines.append(f"        Exceptions ({len(pack.exceptions)}, reviewed; matching findings are not reported):")
            for e in pack.exceptions:
                target = ", ".join(f"{k} {e[k]}" for k in ("resource", "token") if e.get(k))
                lines.append(f"        - {e['policy']}  {target}")
                lines.append(f"          reason: {e.get('reason') or '(none: the pack reports this exception)'}")
    return lines


def diff_lines(document: dict) -> list[str]:
    """What the change does beyond the plan: changed inputs, findings new and fixed, cost change."""
    from .cost_diff import render_text as cost_diff_text

    diff = document.get("diff")
    if not diff:
        return []
    lines = ["", f"Compared to {diff['base']['project']} / {diff['base']['stack']} ({diff['base']['source']}):"]
    for entry in diff["resources"]:
        if entry["op"] in ("update", "replace"):
            lines.append(f"    {OP_SYMBOL[entry['op']]} {resource_label(entry['resource'])}")
            lines += [
                f"        {c['path']}: {_literal(c.get('before'))} => {_literal(c.get('after'))}"
                for c in entry["changes"]
            ]
    for kind in ("new", "fixed"):
        found = diff["findings"][kind]
        lines.append(f"    Findings {kind}: {len(found)}")
        lines += [
            f"        [{v['level']}] {v['pack']}/{v['policy']}  {v['resource']}: {_violation_text(v['message'])}"
            for v in found
        ]
    if diff.get("cost"):
        lines += ["    " + line for line in cost_diff_text(diff["cost"])]
    return lines


def _relative(path: str) -> str:
    """A path as the CLI shows a local pack: relative to the working directory when under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def _output_type(value: Any) -> str:
    # The CLI's names for a value not known until the update: output<string>, output<number>...
    names = {str: "string", bool: "boolean", int: "number", float: "number", list: "array", dict: "object"}
    return f"output<{names.get(type(value), 'any')}>"


def _literal(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, default=str) if not isinstance(value, str) else value


def cost_notes(cost: dict, *, listed: int = 8) -> list[str]:
    """What the cost figures leave out and rest on, one sentence each (text and markdown share them)."""
    notes = []
    if cost.get("pricesAsOf"):  # an estimate from a pack without declared usage support has neither
        notes.append(
            f"Prices as of {cost['pricesAsOf']}; usage "
            + (f"declared in {cost['usageSource']}." if cost.get("usageSource") else "not declared.")
        )
    waiting = cost.get("dependsOnUsage") or []
    if waiting:
        names = ", ".join(item["name"] for item in waiting[:listed]) + (", ..." if len(waiting) > listed else "")
        notes.append(f"Depends on usage (priced 0, no usage declared): {len(waiting)} resource(s): {names}.")
    not_priced = cost.get("notPriced") or []
    resources = sorted({item["name"] for item in not_priced if item.get("charge") == "the resource"})
    if resources:
        notes.append(f"Not priced: {', '.join(resources)}.")
    charges = []
    for item in not_priced:
        if item.get("charge") == "the resource":
            continue
        names = item.get("resources") or []
        shown = ", ".join(names[:listed]) + (", ..." if len(names) > listed else "")
        charges.append(f"{item['charge']} ({shown})" if names else item["charge"])
    if charges:
        notes.append("Not in the estimate: " + "; ".join(charges) + ".")
    if cost.get("assumptions"):
        notes.append("Assumptions: " + "; ".join(cost["assumptions"]) + ".")
    return notes


def cost_component_rows(cost: dict) -> list[tuple[str, str, str, str, str]]:
    """(resource, component, quantity x unit price, kind, monthly) for every priced component."""
    rows = []
    for resource in cost.get("resources") or []:
        for part in resource.get("components") or []:
            rows.append(
                (
                    resource.get("name") or resource["urn"],
                    part["name"],
                    f"{part['quantity']:,.4g} {part['unit']} x {part['unitPrice']:g}",
                    part["kind"],
                    _money(part["monthly"]),
                )
            )
    return rows


def _print_cost(console: Any, cost: dict, *, details: bool) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    currency = cost.get("currency", "USD")
    table = Table(box=box.SIMPLE, title=f"Estimated monthly cost ({currency})", title_justify="left", show_edge=False)
    table.add_column("component")
    table.add_column("monthly", justify="right")
    for name, value in sorted((cost.get("byComponent") or {}).items(), key=lambda kv: -float(kv[1] or 0)):
        table.add_row(name, _money(value))
    for region, value in sorted((cost.get("byRegion") or {}).items()):
        table.add_row(Text(f"Region {region}", style="dim"), Text(_money(value), style="dim"))
    if "fixed" in cost:
        table.add_row("fixed (billed with no traffic)", _money(cost.get("fixed")))
        table.add_row("usage (declared)", _money(cost.get("usage")))
    table.add_row(Text("total", style="bold"), Text(_money(cost.get("total")), style="bold"))
    if cost.get("low") is not None and cost.get("high") is not None:
        table.add_row("range: idle floor - ceiling the inputs allow", f"{_money(cost['low'])} - {_money(cost['high'])}")
    budget = cost.get("budget")
    if isinstance(budget, (int, float)) and not cost.get("budgetVerdict"):  # an estimate without its own verdict
        total = float(cost.get("total") or 0)
        verdict = f"over by {_money(total - budget)}" if total > budget else f"under by {_money(budget - total)}"
        table.add_row("budget", Text(f"{_money(budget)} ({verdict})", style="red" if total > budget else "green"))
    console.print(table, **LITERAL)
    if cost.get("budgetVerdict"):
        over = cost["budgetVerdict"].startswith("OVER")
        console.print(Text(f"Budget: {cost['budgetVerdict']}.", style="red" if over else "green"), **LITERAL)
    for note in cost_notes(cost):
        console.print(note, **LITERAL)
    if details:
        parts = Table(box=box.SIMPLE, title="Cost components", title_justify="left", show_edge=False)
        for column in ("resource", "component", "quantity x unit price", "kind"):
            parts.add_column(column)
        parts.add_column("monthly", justify="right")
        for row in cost_component_rows(cost):
            parts.add_row(*row)
        console.print(parts, **LITERAL)


def policy_lines(document: dict) -> list[str]:
    """The violations as the CLI prints its "Policies:" section: per pack ``name@vversion``, then per
    finding ``- [level]  policy  (type: name)`` and the message lines (the policy description, then
    the violation). The upstream conformance tests (pulumi-policy tests/integration) look for these
    texts. ``--mode up`` adds whether a plain ``pulumi preview`` already shows the finding."""
    versions = {p["name"]: p.get("version") for p in document.get("packs", [])}
    by_urn = {r["urn"]: r for r in document["resources"]}
    per_pack: dict[str, list[dict]] = defaultdict(list)
    for v in document["violations"]:
        per_pack[v["pack"]].append(v)
    lines = ["Policies:"] if per_pack else []
    for pack, items in per_pack.items():
        version = versions.get(pack)
        lines.append(f"    {pack}@v{version}" if version else f"    {pack}")
        for v in sorted(items, key=lambda v: (v["level"] != "mandatory", v["policy"], v["urn"])):
            res = by_urn.get(v["urn"])
            where = f"  ({_short_type(res['type'])}: {res['name']})" if res else ""
            phase = (
                ""
                if v.get("atPreview") is None
                else ("  [pulumi preview shows it]" if v["atPreview"] else "  [at update only]")
            )
            lines.append(f"        - [{v['level']}]  {v['policy']}{where}{phase}")
            lines.extend(f"          {line}" for line in v["message"].splitlines() if line.strip())
    return lines


def render_text(document: dict, console: Any = None, *, cost_details: bool = False, show_ids: bool = False) -> None:
    """Print the document as `pulumi preview` prints a preview: the plan (one line per resource
    with its operation, indented by parent), the diagnostics, the policies per pack, the outputs
    and the ``Resources:`` summary; then the cost and the verdict. Physical ids and output values
    come from the fake AWS, so they are printed only with ``show_ids``."""
    console = console or text_console()

    def out(line: str = "") -> None:
        console.print(line, **LITERAL)

    out(f"Previewing update ({document['stack']}), offline: project {document['project']}")
    out()
    for line in plan_lines(document, show_ids=show_ids):
        out(line)

    diagnostics = [
        *(f"warning: {w}" for w in document.get("warnings", [])),
        *(
            f"program {log['severity']}: {log['message']}"
            for log in document.get("logs", [])
            if log.get("severity") in ("warning", "error")
        ),
    ]
    if diagnostics:
        out()
        out("Diagnostics:")
        for line in diagnostics:
            out(f"    {line}")

    packs = findings_by_pack(document)
    if packs:
        out()
        out("Policies:")
        for line in grouped_policy_lines(packs):
            out(line)

    if document.get("outputs"):
        out()
        out("Outputs:")
        width = max(len(k) for k in document["outputs"])
        for key, value in document["outputs"].items():
            out(f"    {key:<{width}}: {_literal(value) if show_ids else _output_type(value)}")

    out()
    for line in summary_lines(document):
        out(line)
    for line in diff_lines(document):
        out(line)

    out()
    cost = document.get("cost")
    if cost:
        _print_cost(console, cost, details=cost_details)
    else:
        out("Cost: no estimate available (no policy pack reported monthly-cost-estimate).")

    out()
    summary = document["summary"]
    counts = summary["violations"]
    mandatory = counts.get("mandatory", 0) + counts.get("remediate", 0)
    advisory = counts.get("advisory", 0)
    if mandatory:
        out(f"FAIL: {mandatory} mandatory violation(s), {advisory} advisory; {summary['resources']} resources")
    else:
        extra = f" with {advisory} advisory violation(s)" if advisory else ""
        out(f"PASS{extra}: {summary['resources']} resources, no mandatory violations")

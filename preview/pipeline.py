"""One preview from start to end: plain data in (paths, names, a mode), the JSON document out
(see ``preview.report``).

As under the CLI, the engine's side (the policy packs, the analysis of each registration, the
report) and the program are apart: ``run_preview`` is the engine, and ``run`` runs the program and
hands it each registration as it happens. The CLI runs the program in a child process
(``preview.isolation.run_isolated``: nothing the program does can end, hang or fake the preview,
and it has a core of its own while this process talks to the packs); ``run_here`` runs it in this
process (tests, and the in-process conformance scenarios).

Modes, as the CLI:
- ``preview``: a first ``pulumi preview`` of a new stack. The program and the packs are told
  ``is_dry_run()``; the packs see the computed outputs of new resources, and the inputs built from
  them, as unknown (``preview.phases``), and report what they cannot check as the advisory
  "can't run policy ... during preview".
- ``up``: ``pulumi up`` on a new stack: its preview phase, then (unless the preview phase found a
  mandatory violation) its update phase with resolved values; each finding says whether a plain
  ``pulumi preview`` already shows it (``atPreview``). The program runs once, not dry-run; the
  preview phase's view is derived from that run, so values the program computes from
  ``is_dry_run()`` itself are the update's (the packs, told not dry-run, agree with them).
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from .engine import ProgramRun

__all__ = ["MODES", "ProgramRequest", "ProgramRunner", "run_here", "run_preview"]

MODES = ("up", "preview")


@dataclasses.dataclass(frozen=True)
class ProgramRequest:
    """One run of the program, plain data (a child process gets it pickled)."""

    program: Path
    stack: str
    dry_run: bool = False
    config_overrides: Optional[dict[str, Any]] = None


# Runs the program of the request, calling ``on_record`` with each registration as it is made;
# returns the run and the call sites of its resources (``preview.callsites``).
ProgramRunner = Callable[[ProgramRequest, Callable[[Any], None]], "tuple[ProgramRun, dict]"]


def run_here(request: ProgramRequest, on_record: Callable[[Any], None]) -> tuple[ProgramRun, dict]:
    """The program in this process, under a fresh fake AWS."""
    from .callsites import record_call_sites
    from .engine import run_program
    from .fake_aws import FakeAws

    fake = FakeAws()
    fake.listeners.append(on_record)
    # Program output must not mix with the report (JSON on stdout): its prints go to stderr.
    # The call sites place findings on program lines (SARIF).
    with contextlib.redirect_stdout(sys.stderr), record_call_sites(Path(request.program)) as sites:
        run = run_program(
            request.program,
            request.stack,
            fake=fake,
            config_overrides=request.config_overrides,
            dry_run=request.dry_run,
        )
    return run, sites


def run_preview(
    program: Path | str,
    stack: str,
    pack_dirs: Sequence[Path | str] = (),
    pack_configs: Sequence[Path | str] = (),
    *,
    mode: str = "up",
    config_overrides: Optional[dict[str, Any]] = None,
    call_timeout: Optional[float] = None,
    run: ProgramRunner = run_here,
) -> dict:
    """Run the program (with ``run``) and the packs; return the JSON document. Raises
    ``PreviewError``."""
    from .analyzer import DEFAULT_CALL_TIMEOUT, AnalyzerError, PolicyPacks, StackBuilder, load_policy_config
    from .engine import PreviewError, load_project, resolve_stack_config
    from .report import build_document
    from .session import AnalysisSession

    if mode not in MODES:
        raise PreviewError(f"unknown mode {mode!r} (expected one of {', '.join(MODES)})")
    if len(pack_configs) > len(pack_dirs):
        raise AnalyzerError(
            f"{len(pack_configs)} --policy-pack-config for {len(pack_dirs)} policy packs "
            "(each config matches the --policy-pack at the same position)"
        )
    policy_configs = [load_policy_config(p) for p in pack_configs]
    project = load_project(program)
    config, secret_keys = resolve_stack_config(project, stack, config_overrides)
    dry_run = mode == "preview"
    packs = PolicyPacks(
        pack_dirs,
        project=project.name,
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        policy_configs=policy_configs,
        dry_run=dry_run,
        call_timeout=DEFAULT_CALL_TIMEOUT if call_timeout is None else call_timeout,
    )
    session = None
    diagnostics = []
    packs_info = []
    records: Callable[[Any], None] = lambda record: None  # noqa: E731 - no packs: nothing to analyse
    try:
        packs.launch()  # first: the packs boot in their own processes while the program starts
        if pack_dirs:
            # The packs are configured while the program runs; each resource is analysed as it is
            # registered.
            session = AnalysisSession(packs, StackBuilder(project=project.name, stack=stack, config=config), mode)
            records = session.add
            session.begin()
        request = ProgramRequest(Path(program), stack, dry_run=dry_run, config_overrides=config_overrides)
        try:
            outcome, sites = run(request, records)
        except BaseException:
            if session is not None:
                session.cancel()
            raise
        if session is not None:
            _, diagnostics = session.finish(outcome.resources, outcome.outputs)
            packs_info = [_pack_info(p, reconciled) for p, reconciled in zip(packs.packs, packs.reconciled)]
    finally:
        packs.stop()
    document = build_document(
        project=outcome.project,
        stack=outcome.stack,
        records=outcome.resources,
        outputs=outcome.outputs,
        diagnostics=diagnostics,
        packs=packs_info,
        warnings=outcome.warnings,
        default_provider={"region": outcome.default_provider.region, "account": outcome.default_provider.account},
        logs=[dataclasses.asdict(log) for log in outcome.logs],
        call_sites=sites,
    )
    document["mode"] = mode
    return document


def _pack_info(pack: Any, reconciled: dict) -> dict:
    """A pack as the report shows it: each policy's level and description, and the reviewed exceptions
    its config holds (the ``exceptions`` property of the security pack's rules, shipped defaults
    included), so waived findings stay visible with their reasons."""
    described = {p.name: p.description for p in pack.info.policies} if pack.info else {}
    policies = []
    for name, (level, properties) in reconciled.items():
        entry: dict = {"name": name, "level": level, "description": described.get(name, "")}
        exceptions = properties.get("exceptions")
        if isinstance(exceptions, list) and exceptions:
            entry["exceptions"] = [
                {k: e.get(k) for k in ("resource", "token", "reason") if e.get(k)}
                for e in exceptions
                if isinstance(e, dict)
            ]
        policies.append(entry)
    return {"name": pack.name, "version": pack.version, "directory": str(pack.pack_dir), "policies": policies}

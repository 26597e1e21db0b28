"""One preview from start to end: plain data in (paths, names, a mode), the JSON document out
(see ``preview.report``), so it can run in this process or in a child process alike (the CLI runs
it in one: ``preview.isolation``).

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

__all__ = ["MODES", "run_preview"]

MODES = ("up", "preview")


def run_preview(
    program: Path | str,
    stack: str,
    pack_dirs: Sequence[Path | str] = (),
    pack_configs: Sequence[Path | str] = (),
    *,
    mode: str = "up",
    config_overrides: Optional[dict[str, Any]] = None,
    call_timeout: Optional[float] = None,
) -> dict:
    """Run the program and the packs; return the JSON document. Raises ``PreviewError``."""
    from .analyzer import DEFAULT_CALL_TIMEOUT, AnalyzerError, PolicyPacks, StackBuilder, load_policy_config
    from .callsites import record_call_sites
    from .engine import PreviewError, load_project, resolve_stack_config, run_program
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
    try:
        packs.launch()  # first: the packs boot in their own processes while Pulumi imports here
        from .fake_aws import FakeAws

        fake = FakeAws()
        if pack_dirs:
            # The packs are configured while the program runs; each resource is analysed as it is
            # registered.
            session = AnalysisSession(packs, StackBuilder(project=project.name, stack=stack, config=config), mode)
            fake.listeners.append(session.add)
            session.begin()
        try:
            # Program output must not mix with the report (JSON on stdout): its prints go to stderr.
            # The call sites place findings on program lines (SARIF).
            with contextlib.redirect_stdout(sys.stderr), record_call_sites(Path(program)) as sites:
                run = run_program(program, stack, fake=fake, config_overrides=config_overrides, dry_run=dry_run)
        except BaseException:
            if session is not None:
                session.cancel()
            raise
        if session is not None:
            _, diagnostics = session.finish(run.resources, run.outputs)
            packs_info = [_pack_info(p, reconciled) for p, reconciled in zip(packs.packs, packs.reconciled)]
    finally:
        packs.stop()
    document = build_document(
        project=run.project,
        stack=run.stack,
        records=run.resources,
        outputs=run.outputs,
        diagnostics=diagnostics,
        packs=packs_info,
        warnings=run.warnings,
        default_provider={"region": run.default_provider.region, "account": run.default_provider.account},
        logs=[dataclasses.asdict(log) for log in run.logs],
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

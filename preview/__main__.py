"""``python -m preview``: run a Pulumi Python program against the fake AWS and check it with
policy packs served over the Analyzer protocol.

Exit codes: 0 clean or advisory only, 1 any mandatory violation, 2 a program, config or pack error
(message on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

DEFAULT_PROGRAM = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preview",
        description="Offline `pulumi preview`: run the program against a fake AWS and apply policy packs.")
    parser.add_argument("--program", type=Path, default=DEFAULT_PROGRAM,
                        help="Pulumi project directory (default: this project)")
    parser.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml; default dev)")
    parser.add_argument("--policy-pack", dest="policy_packs", action="append", type=Path, default=None,
                        metavar="DIR", help="policy pack directory (repeatable; default: every pack under "
                                            "<program>/policies/)")
    parser.add_argument("--policy-pack-config", dest="policy_pack_configs", action="append", type=Path,
                        default=[], metavar="FILE",
                        help="JSON config for the --policy-pack at the same position (repeatable)")
    parser.add_argument("--format", choices=("text", "json", "markdown", "sarif"), default="text",
                        help="text: like `pulumi preview`; json: the whole report (the input of --compare-to); "
                             "markdown: the pull-request comment; sarif: SARIF 2.1.0 for code scanning")
    parser.add_argument("--compare-to", dest="compare_to", type=Path, default=None, metavar="FILE",
                        help="the JSON report of the base (e.g. the target branch): show what changes from it "
                             "(resources, inputs, cost, findings new and fixed)")
    parser.add_argument("--show-ids", action="store_true",
                        help="text: print the physical ids and output values (made up by the fake AWS)")
    parser.add_argument("--cost-details", action="store_true",
                        help="text: list each resource's cost components (quantity x unit price)")
    return parser


def default_packs(program: Path) -> list[Path]:
    root = program / "policies"
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "PulumiPolicy.yaml").is_file())


def preview(program: Path, stack: str, pack_dirs: Sequence[Path], pack_configs: Sequence[Path]) -> dict:
    """Run everything and return the JSON document (see ``preview.report``)."""
    from .analyzer import AnalyzerError, PolicyPacks, load_policy_config, stack_resources
    from .callsites import record_call_sites
    from .engine import load_project, resolve_stack_config, run_program
    from .report import build_document

    if len(pack_configs) > len(pack_dirs):
        raise AnalyzerError(f"{len(pack_configs)} --policy-pack-config for {len(pack_dirs)} policy packs "
                            "(each config matches the --policy-pack at the same position)")
    policy_configs = [load_policy_config(p) for p in pack_configs]
    project = load_project(program)
    config, secret_keys = resolve_stack_config(project, stack)
    packs = PolicyPacks(pack_dirs, project=project.name, stack=stack, config=config, secret_keys=secret_keys,
                        policy_configs=policy_configs)
    diagnostics = []
    packs_info = []
    try:
        packs.launch()  # the packs boot in their own processes while the program runs
        # Program output must not mix with the report (JSON on stdout): its prints go to stderr.
        with contextlib.redirect_stdout(sys.stderr), record_call_sites(program) as sites:
            run = run_program(program, stack)
        resources = stack_resources(run.resources, project=run.project, stack=run.stack, outputs=run.outputs,
                                    default_region=run.default_provider.region)
        if pack_dirs:
            packs.start()
            diagnostics = packs.run(resources)
            packs_info = [_pack_info(p, reconciled) for p, reconciled in zip(packs.packs, packs.reconciled)]
    finally:
        packs.stop()
    return build_document(project=run.project, stack=run.stack, records=run.resources, outputs=run.outputs,
                          diagnostics=diagnostics, packs=packs_info, warnings=run.warnings,
                          default_provider={"region": run.default_provider.region,
                                            "account": run.default_provider.account},
                          logs=[dataclasses.asdict(log) for log in run.logs], call_sites=sites)


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
            entry["exceptions"] = [{k: e.get(k) for k in ("resource", "token", "reason") if e.get(k)}
                                   for e in exceptions if isinstance(e, dict)]
        policies.append(entry)
    return {"name": pack.name, "version": pack.version, "directory": str(pack.pack_dir), "policies": policies}


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM (e.g. a cancelled CI job) unwinds like Ctrl-C, so the packs are stopped.
    raise KeyboardInterrupt


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    program = args.program.resolve()
    # As the CLI (pulumi/pulumi pkg/cmd/pulumi/operations validatePolicyPackConfig): a config goes
    # with the --policy-pack at its position, so one without explicit packs names no known pack.
    if args.policy_pack_configs and args.policy_packs is None:
        print('error: "--policy-pack-config" must be specified with "--policy-pack" (each config goes with the '
              "pack at the same position)", file=sys.stderr)
        return 2
    if args.policy_pack_configs and len(args.policy_pack_configs) != len(args.policy_packs):
        print('error: the number of "--policy-pack-config" flags must match the number of "--policy-pack" flags',
              file=sys.stderr)
        return 2
    pack_dirs = args.policy_packs if args.policy_packs is not None else default_packs(program)

    from .compare import compare, load_base
    from .engine import PreviewError
    from .report import exit_code, render_json, render_text

    try:
        base = load_base(args.compare_to) if args.compare_to else None
        document = preview(program, args.stack, pack_dirs, args.policy_pack_configs)
        if base is not None:
            document["diff"] = compare(base, document, source=str(args.compare_to))
    except PreviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    if args.format == "json":
        sys.stdout.write(render_json(document) + "\n")
    elif args.format == "markdown":
        from .markdown import render_markdown

        sys.stdout.write(render_markdown(document))
    elif args.format == "sarif":
        from .sarif import render_sarif

        sys.stdout.write(render_sarif(document) + "\n")
    else:
        render_text(document, cost_details=args.cost_details, show_ids=args.show_ids)
    return exit_code(document)


if __name__ == "__main__":
    sys.exit(main())

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
from pathlib import Path
from typing import Optional, Sequence

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
    parser.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="markdown: the pull-request comment (plan, cost, findings, Mermaid diagram)")
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
        with contextlib.redirect_stdout(sys.stderr):
            run = run_program(program, stack)
        resources = stack_resources(run.resources, project=run.project, stack=run.stack, outputs=run.outputs,
                                    default_region=run.default_provider.region)
        if pack_dirs:
            packs.start()
            diagnostics = packs.run(resources)
            packs_info = [{"name": p.name, "version": p.version, "directory": str(p.pack_dir),
                           "policies": [{"name": name, "level": level}
                                        for name, (level, _) in reconciled.items()]}
                          for p, reconciled in zip(packs.packs, packs.reconciled)]
    finally:
        packs.stop()
    return build_document(project=run.project, stack=run.stack, records=run.resources, outputs=run.outputs,
                          diagnostics=diagnostics, packs=packs_info, warnings=run.warnings,
                          default_provider={"region": run.default_provider.region,
                                            "account": run.default_provider.account},
                          logs=[dataclasses.asdict(log) for log in run.logs])


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM (e.g. a cancelled CI job) unwinds like Ctrl-C, so the packs are stopped.
    raise KeyboardInterrupt


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    program = args.program.resolve()
    pack_dirs = args.policy_packs if args.policy_packs is not None else default_packs(program)

    from .engine import PreviewError
    from .report import exit_code, render_json, render_text

    try:
        document = preview(program, args.stack, pack_dirs, args.policy_pack_configs)
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
    else:
        render_text(document, cost_details=args.cost_details)
    return exit_code(document)


if __name__ == "__main__":
    sys.exit(main())

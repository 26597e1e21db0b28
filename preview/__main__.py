"""``python -m preview``: run a Pulumi Python program against the fake AWS and check it with
policy packs served over the Analyzer protocol.

Exit codes: 0 clean or advisory only, 1 any mandatory violation, 2 a program, config or pack error
(message on stderr, no traceback), 130 interrupted.

Limits: the program runs in its own process (``preview.isolation``) for at most ``--timeout``
seconds (default 600); every call to a policy pack has a deadline of ``--policy-timeout`` seconds
(default 300); a pack must print its port within ``PREVIEW_PACK_START_TIMEOUT`` seconds (default 60).

Output: text the packs and the program send (messages, names, logs) is bounded and its control
characters escaped before it reaches a terminal; a reader that closes the pipe early (``| head``)
ends the preview quietly with its verdict; a failed write (``> /dev/full``) is exit 2.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Optional

from .analyzer import DEFAULT_CALL_TIMEOUT
from .isolation import DEFAULT_TIMEOUT
from .pipeline import MODES

DEFAULT_PROGRAM = Path(__file__).resolve().parent.parent
# Longest pack message, warning or log line shown; the rest is cut with its length said.
MAX_MESSAGE_CHARS = 4000


def _seconds_option(option: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        from .engine import PreviewError
        from .raw_inputs import positive_seconds

        try:
            return positive_seconds(text, option)
        except PreviewError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m preview",
        description="Offline `pulumi preview`: run the program against a fake AWS and apply policy packs.",
    )
    parser.add_argument(
        "--program", type=Path, default=DEFAULT_PROGRAM, help="Pulumi project directory (default: this project)"
    )
    parser.add_argument("--stack", default="dev", help="stack name (reads Pulumi.<stack>.yaml; default dev)")
    parser.add_argument(
        "--policy-pack",
        dest="policy_packs",
        action="append",
        type=Path,
        default=None,
        metavar="DIR",
        help="policy pack directory (repeatable; default: every pack under <program>/policies/)",
    )
    parser.add_argument(
        "--policy-pack-config",
        dest="policy_pack_configs",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="JSON config for the --policy-pack at the same position (repeatable)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "markdown", "sarif"),
        default="text",
        help="text: like `pulumi preview`; json: the whole report (the input of --compare-to); "
        "markdown: the pull-request comment; sarif: SARIF 2.1.0 for code scanning",
    )
    parser.add_argument(
        "--compare-to",
        dest="compare_to",
        type=Path,
        default=None,
        metavar="FILE",
        help="the JSON report of the base (e.g. the target branch): show what changes from it "
        "(resources, inputs, cost, findings new and fixed)",
    )
    parser.add_argument(
        "--show-ids",
        action="store_true",
        help="text: print the physical ids and output values (made up by the fake AWS)",
    )
    parser.add_argument(
        "--cost-details", action="store_true", help="text: list each resource's cost components (quantity x unit price)"
    )
    parser.add_argument(
        "--timeout",
        type=_seconds_option("--timeout"),
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help="stop the program run after SECONDS (default %(default)g); exit 2 when hit",
    )
    parser.add_argument(
        "--policy-timeout",
        type=_seconds_option("--policy-timeout"),
        default=DEFAULT_CALL_TIMEOUT,
        metavar="SECONDS",
        help="deadline of every call to a policy pack (default %(default)g); "
        "exit 2 naming the pack and the call when hit",
    )
    parser.add_argument(
        "--mode",
        choices=MODES,
        default="up",
        help="up (default): what `pulumi up` reports (its preview phase, then its update "
        "phase; each finding says whether `pulumi preview` shows it); preview: a first "
        "`pulumi preview` of a new stack (computed values unknown)",
    )
    return parser


def default_packs(program: Path) -> list[Path]:
    root = program / "policies"
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "PulumiPolicy.yaml").is_file())


def preview(
    program: Path,
    stack: str,
    pack_dirs: Sequence[Path],
    pack_configs: Sequence[Path],
    *,
    mode: str = "up",
    timeout: float = DEFAULT_TIMEOUT,
    policy_timeout: float = DEFAULT_CALL_TIMEOUT,
) -> dict:
    """Check what can be checked before anything starts, then run the preview: the program in a
    child process, the packs and the analysis here (see ``preview.pipeline``); return its JSON
    document."""
    import functools

    from .analyzer import AnalyzerError, load_policy_config, pack_start_timeout
    from .isolation import run_isolated
    from .pipeline import run_preview
    from .raw_inputs import check_stack_name

    check_stack_name(stack)
    if pack_dirs:
        pack_start_timeout()  # an invalid setting is an error now, not after the program ran
    if len(pack_configs) > len(pack_dirs):
        raise AnalyzerError(
            f"{len(pack_configs)} --policy-pack-config for {len(pack_dirs)} policy packs "
            "(each config matches the --policy-pack at the same position)"
        )
    for path in pack_configs:
        load_policy_config(path)  # a bad config file is refused before the program runs
    # The program in its own process: its prints go to stderr, and no exit, signal or hang of the
    # program can end or fake the preview.
    return run_preview(
        Path(program),
        stack,
        tuple(map(Path, pack_dirs)),
        tuple(map(Path, pack_configs)),
        mode=mode,
        call_timeout=policy_timeout,
        run=functools.partial(run_isolated, timeout=timeout),
    )


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM (e.g. a cancelled CI job) unwinds like Ctrl-C, so the packs are stopped.
    raise KeyboardInterrupt


def _safe_text(text: Any) -> Any:
    """Bounded, control characters escaped (a pack's ANSI codes must not reach the terminal). Every
    format prints data literally (no rich markup), so nothing else needs escaping."""
    from .raw_inputs import escape_controls

    if not isinstance(text, str):
        return text
    if len(text) > MAX_MESSAGE_CHARS:
        text = f"{text[:MAX_MESSAGE_CHARS]}... [{len(text) - MAX_MESSAGE_CHARS} more characters left out]"
    return escape_controls(text)


def safe_document(document: dict) -> dict:
    """The document with every text that came from a pack or the program made safe to print; URNs
    stay as they are (they are lookup keys)."""
    safe = _safe_text
    out = dict(document)
    out["project"], out["stack"] = safe(document["project"]), safe(document["stack"])
    out["violations"] = [
        {**v, **{k: safe(v[k]) for k in ("pack", "policy", "message")}} for v in document["violations"]
    ]
    out["warnings"] = [safe(w) for w in document.get("warnings", [])]
    out["logs"] = [{**log, "message": safe(log.get("message"))} for log in document.get("logs", [])]
    out["packs"] = [{**p, "name": safe(p.get("name"))} for p in document.get("packs", [])]
    out["resources"] = [
        {**r, "name": safe(r["name"]), "type": safe(r["type"]), "id": safe(r["id"])} for r in document["resources"]
    ]
    out["providers"] = [{**p, "name": safe(p.get("name"))} for p in document.get("providers", [])]
    return out


def _write_report(write: Callable[[], None]) -> Optional[int]:
    """Write the report; None when written (or the reader left), 2 when writing failed."""
    try:
        write()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader closed the pipe (`| head -1`): stop quietly, as Unix tools do. Point stdout at
        # /dev/null so the interpreter's final flush does not fail again
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return None
    except OSError as exc:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        print(f"error: cannot write the report to stdout: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return None


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    program = args.program.resolve()
    # As the CLI (pulumi/pulumi pkg/cmd/pulumi/operations validatePolicyPackConfig): a config goes
    # with the --policy-pack at its position, so one without explicit packs names no known pack.
    if args.policy_pack_configs and args.policy_packs is None:
        print(
            'error: "--policy-pack-config" must be specified with "--policy-pack" (each config goes with the '
            "pack at the same position)",
            file=sys.stderr,
        )
        return 2
    if args.policy_pack_configs and len(args.policy_pack_configs) != len(args.policy_packs):
        print(
            'error: the number of "--policy-pack-config" flags must match the number of "--policy-pack" flags',
            file=sys.stderr,
        )
        return 2
    pack_dirs = args.policy_packs if args.policy_packs is not None else default_packs(program)

    from .compare import compare, load_base
    from .engine import PreviewError
    from .report import exit_code, render_json, render_text, text_console

    try:
        base = load_base(args.compare_to) if args.compare_to else None
        document = preview(
            program,
            args.stack,
            pack_dirs,
            args.policy_pack_configs,
            mode=args.mode,
            timeout=args.timeout,
            policy_timeout=args.policy_timeout,
        )
        if base is not None:
            document["diff"] = compare(base, document, source=str(args.compare_to))
    except PreviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - a defect of the preview itself: still one line, exit 2
        print(
            f"error: internal error of the offline preview: {type(exc).__name__}: {exc}".splitlines()[0],
            file=sys.stderr,
        )
        return 2
    shown = safe_document(document)
    if args.format == "json":
        failed = _write_report(lambda: sys.stdout.write(render_json(shown) + "\n"))
    elif args.format == "markdown":
        from .markdown import render_markdown

        failed = _write_report(lambda: sys.stdout.write(render_markdown(shown)))
    elif args.format == "sarif":
        from .sarif import render_sarif

        failed = _write_report(lambda: sys.stdout.write(render_sarif(shown) + "\n"))
    else:
        failed = _write_report(
            lambda: render_text(shown, text_console(), cost_details=args.cost_details, show_ids=args.show_ids)
        )
    return failed or exit_code(document)


if __name__ == "__main__":
    sys.exit(main())

"""Cost of the gaming workstation per played hour and per idle month, from the cost pack's estimate.

Runs the offline preview of a stack (default dev) twice with the cost pack, declaring 0 and then 100
played hours a month (usage key ``monthly_hours`` of the instance, see policies/cost/README.md): the
first total is what a month
costs with the workstation never started (root volume, public IPv4, alarm), the difference divided
by 100 is the price of one played hour.

    .venv/bin/python benchmarks/bench_gaming_cost.py [--stack dev] [--policy-pack policies/cost]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from preview.__main__ import preview  # noqa: E402
from preview.engine import PreviewError  # noqa: E402

COMPONENT = "gaming (GamingWorkstation)"
PLAYED_HOURS = 100


def gaming_cost(stack: str, pack: Path, hours: float) -> tuple[float | None, list[dict]]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        usage = {"resource_type_default_usage": {"aws:ec2/instance:Instance": {"monthly_hours": hours}}}
        json.dump({"monthly-cost-estimate": {"usage": usage}}, handle)
    try:
        document = preview(ROOT, stack, [pack], [Path(handle.name)])
    finally:
        Path(handle.name).unlink()
    cost = document.get("cost") or {}
    monthly = (cost.get("byComponent") or {}).get(COMPONENT)
    lines = [r for r in cost.get("resources") or [] if "GamingWorkstation" in r.get("urn", "")]
    return monthly, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--policy-pack", type=Path, default=ROOT / "policies" / "cost")
    args = parser.parse_args()

    started = time.perf_counter()
    try:
        idle, idle_lines = gaming_cost(args.stack, args.policy_pack, 0)
        played, _ = gaming_cost(args.stack, args.policy_pack, PLAYED_HOURS)
    except PreviewError as err:  # e.g. a cost pack without the estimate policy
        print(f"no estimate from the cost pack at {args.policy_pack}: {err}")
        return 0
    elapsed = time.perf_counter() - started
    if idle is None or played is None:
        print(
            f"the cost pack at {args.policy_pack} reported no estimate for {COMPONENT} "
            f"(is the workstation enabled in stack {args.stack}?)"
        )
        return 0
    print(f"stack {args.stack}: gaming workstation, from the cost pack's estimate")
    print(f"  per played hour : {(played - idle) / PLAYED_HOURS:8.3f} USD")
    print(f"  per idle month  : {idle:8.2f} USD   (never started: storage, public IPv4, alarm)")
    for line in idle_lines:
        print(f"    {line['type']:<40} {line['monthly']:8.2f}  {line.get('note', '')}")
    print(f"  ({elapsed:.1f} s for two offline previews)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

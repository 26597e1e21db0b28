"""Time ``python -m preview`` against its floor (figures only, nothing asserted).

The floor is a Python process that only imports the pulumi / pulumi_aws / pulumi_awsx modules the
program itself loads (collected by running the program once). Target: preview <= 1.5x the floor.
Between the two, "program alone" is the program's run as the preview runs it (in its own process,
under the fake AWS) with no policy pack: the Pulumi SDK's own work per resource, which the floor
does not include, is there; what the preview adds on top of it is the packs and the analysis.
Each round runs the three once, in turn, so load on the machine falls on all of them alike.
The preview runs in its default mode (``--mode up``: the preview phase and the update phase);
``-- --mode preview`` times a plain first preview. CPU is the whole process tree's (program and
packs): on a shared machine it is steadier than wall time.

    python benchmarks/bench_preview.py [--program DIR] [--stack prod] [--repeat 5] [-- extra preview args]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.5

_PROGRAM_ALONE = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from preview.isolation import run_isolated
from preview.pipeline import ProgramRequest
run_isolated(ProgramRequest(Path({program!r}), {stack!r}))
"""

_COLLECT = """
import json, sys
sys.path.insert(0, {root!r})
from preview.engine import run_program
run_program({program!r}, {stack!r})
mods = sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws', 'pulumi_awsx')
              and not m.startswith('pulumi.policy'))
print(json.dumps(mods))
"""


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the packs the preview waited for
    return usage.ru_utime + usage.ru_stime


def _time(cmd: list[str], ok_codes: tuple[int, ...] = (0, 1)) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + sys of the process tree) of one run."""
    cpu0, start = _cpu(), time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu0
    if done.returncode not in ok_codes:
        sys.exit(f"command failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", type=Path, default=ROOT)
    parser.add_argument("--stack", default="prod")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("extra", nargs="*", help="extra arguments for python -m preview (after --)")
    args = parser.parse_args()
    program = args.program.resolve()

    collected = subprocess.run(
        [sys.executable, "-c", _COLLECT.format(root=str(ROOT), program=str(program), stack=args.stack)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if collected.returncode != 0:
        sys.exit(f"could not run the program once:\n{collected.stderr[-2000:]}")
    modules = json.loads(collected.stdout.strip().splitlines()[-1])
    floor_cmd = [sys.executable, "-c", "import " + ", ".join(modules)]
    preview_cmd = [
        sys.executable,
        "-m",
        "preview",
        "--program",
        str(program),
        "--stack",
        args.stack,
        "--format",
        "json",
        *args.extra,
    ]

    program_cmd = [
        sys.executable,
        "-c",
        _PROGRAM_ALONE.format(root=str(ROOT), program=str(program), stack=args.stack),
    ]
    commands = {
        "floor: import the same pulumi modules": floor_cmd,
        "program alone (no policy pack)": program_cmd,
        "python -m preview (program + packs)": preview_cmd,
    }

    _time(floor_cmd)  # warm the OS file cache once so the first sample is not an outlier
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            wall, cpu = _time(cmd, ok_codes=(0,) if cmd is program_cmd else (0, 1))
            walls[name].append(wall)
            cpus[name].append(cpu)

    med = statistics.median
    floor, full = walls["floor: import the same pulumi modules"], walls["python -m preview (program + packs)"]
    ratio = med(full) / med(floor)
    print(f"program {program}  stack {args.stack}  ({len(modules)} pulumi modules imported by the program)")
    print(
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (other work on the machine inflates wall times)"
    )
    print(f"{'measurement':<44}{'median s':>10}{'min s':>10}{'CPU s':>10}{'x floor':>10}")
    for name in commands:
        print(
            f"{name:<44}{med(walls[name]):>10.2f}{min(walls[name]):>10.2f}{med(cpus[name]):>10.2f}"
            f"{med(walls[name]) / med(floor):>10.2f}"
        )
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(
        f"wall ratio {ratio:.2f}x (median; best-of {min(full) / min(floor):.2f}x); target <= {TARGET_RATIO}x: {verdict}"
    )


if __name__ == "__main__":
    main()

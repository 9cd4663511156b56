"""Matching benchmark: our engine side by side with baselines and open anchors.

    PYTHONPATH=src python bench/matching/run.py                # full table
    PYTHONPATH=src python bench/matching/run.py --smoke        # CI: < 60 s
    PYTHONPATH=src python bench/matching/run.py --anchor-python /tmp/anchors/bin/python

Each size runs in its own process (so peak memory is that size's), on a
seeded population from population.py. The anchors (exact CP-SAT, the PyPI
anti-clustering and team-formation packages) run through anchors.py in an
environment that has them (they need numpy < 2). Exits 1 if our engine breaks
any hard rule on any instance.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FULL_SIZES = (16, 24, 40, 60, 240, 1000, 10_000, 100_000)
SMOKE_SIZES = (24, 240, 1000)
EXACT_UP_TO = 60
ANCHORS_UP_TO = 240
GREEDY_UP_TO = 10_000


def main() -> int:
    args = _arguments()
    sizes = SMOKE_SIZES if args.smoke else tuple(int(s) for s in args.sizes.split(","))
    rows = []
    for n in sizes:
        command = [sys.executable, str(HERE / "instance.py"), str(n), "--seed", str(args.seed)]
        if args.anchor_python and not args.smoke:
            command += [
                "--anchor-python",
                args.anchor_python,
                "--anchor-time",
                str(args.anchor_time),
            ]
        if args.smoke:
            command.append("--smoke")
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ, check=False)
        if done.returncode:
            print(done.stderr, file=sys.stderr)
            return 2
        rows += json.loads(done.stdout)
        print(_table([r for r in rows if r["n"] == n], header=n == sizes[0]), flush=True)
    broken = [r for r in rows if r["method"].startswith("ours") and r["violations"]]
    print(f"\nour hard-rule violations: {sum(r['violations'] for r in broken)}")
    return 1 if broken else 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="small sizes, no anchors (CI)")
    parser.add_argument("--sizes", default=",".join(str(s) for s in FULL_SIZES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--anchor-python", help="python with ortools, anti-clustering, team-formation"
    )
    parser.add_argument("--anchor-time", type=float, default=60.0, help="seconds per anchor run")
    return parser.parse_args()


COLUMNS = (
    ("n", 7, "{}"),
    ("method", 26, "{}"),
    ("objective", 12, "{:.1f}"),
    ("ratio", 7, "{:.4f}"),
    ("violations", 10, "{}"),
    ("lone", 5, "{}"),
    ("unplaced", 8, "{}"),
    ("seconds", 8, "{:.2f}"),
    ("peak_mb", 8, "{:.0f}"),
    ("note", 0, "{}"),
)


def _table(rows: list[dict], header: bool) -> str:
    lines = []
    if header:
        lines.append(" ".join(name.rjust(width) if width else name for name, width, _ in COLUMNS))
    for row in rows:
        cells = []
        for name, width, form in COLUMNS:
            value = row.get(name)
            text = "-" if value is None else form.format(value)
            cells.append(text.rjust(width) if width else text)
        lines.append(" ".join(cells))
    return "\n".join(lines)


def run_anchor(python: str, method: str, instance: dict, timeout: float) -> dict | None:
    """Run anchors.py METHOD in the anchor environment; None when it did not finish."""
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.json"), Path(folder, "out.json")
        source.write_text(json.dumps(instance))
        try:
            subprocess.run(
                [python, str(HERE / "anchors.py"), method, str(source), str(target)],
                timeout=timeout,
                check=True,
                capture_output=True,
            )
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError):
            return None
        return json.loads(target.read_text())


if __name__ == "__main__":
    sys.exit(main())

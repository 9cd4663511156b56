"""peerhaven-match: form groups or pairs from a CSV of people and a TOML policy.

Exit codes: 0 success (even when some people could not be placed: the report
says who and why), 2 bad input (message names file, line and column), 1 an
internal error (one line; set PEERHAVEN_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import InputError
from .people import read_people_csv
from .policy import load_policy
from .report import group_report, pair_report

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as problem:
        print(f"peerhaven-match: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as problem:
        print(
            f"peerhaven-match: error: {problem.filename or ''}: {problem.strerror}", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    except Exception as problem:  # the contract promises no traceback, even for our bugs
        if os.environ.get("PEERHAVEN_DEBUG"):
            raise
        print(f"peerhaven-match: internal error: {problem!r}", file=sys.stderr)
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="peerhaven-match", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    groups = commands.add_parser("groups", help="partition people into peer groups")
    _common_arguments(groups, "GROUPS.csv: id,group,slot")
    groups.add_argument("--time-limit", type=_positive, metavar="SECONDS", help="search time limit")
    groups.set_defaults(run=_run_groups)
    pairs = commands.add_parser("pairs", help="pair people one to one (or mentees with mentors)")
    _common_arguments(pairs, "PAIRS.csv: id,partner")
    pairs.set_defaults(run=_run_pairs)
    return parser


def _common_arguments(parser: argparse.ArgumentParser, out_help: str) -> None:
    parser.add_argument("people", metavar="PEOPLE.csv", help="header row with an id column")
    parser.add_argument("--policy", required=True, metavar="POLICY.toml")
    parser.add_argument("--out", required=True, metavar="OUT.csv", help=out_help)
    parser.add_argument("--report", metavar="REPORT.json", help="objective, rule check, reasons")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")


def _positive(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be > 0")
    return value


def _load(args: argparse.Namespace):
    people = read_people_csv(args.people)
    policy = load_policy(args.policy)
    return people, policy


def _run_groups(args: argparse.Namespace) -> int:
    from .groups import form_groups

    people, policy = _load(args)
    result = form_groups(people, policy, seed=args.seed, time_limit=args.time_limit)
    rows = [
        (
            person,
            result.group_label(k),
            result.slots[result.group_of[k]] if result.group_of[k] >= 0 else "",
        )
        for k, person in enumerate(result.ids)
    ]
    _write_csv(args.out, ("id", "group", "slot"), rows)
    if args.report:
        _write_json(args.report, group_report(result))
    _summary(f"{len(result.names)} groups", result.check.total, len(result.unplaced))
    return 0


def _run_pairs(args: argparse.Namespace) -> int:
    from .pairs import form_pairs

    people, policy = _load(args)
    result = form_pairs(people, policy, seed=args.seed)
    _write_csv(args.out, ("id", "partner"), [(p, result.partner_of(p)) for p in result.ids])
    if args.report:
        _write_json(args.report, pair_report(result))
    _summary(f"{len(result.pairs)} pairs", result.violations, len(result.unpaired))
    return 0


def _write_csv(path: str, header: tuple[str, ...], rows) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _write_json(path: str, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _summary(made: str, violations: int, unplaced: int) -> None:
    print(f"{made}, {violations} hard-rule violations, {unplaced} unplaced", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())

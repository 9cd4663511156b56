from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from peerhaven.matching.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "people.csv", tmp_path / "people.csv")
    shutil.copy(EXAMPLES / "policy.toml", tmp_path / "policy.toml")
    return tmp_path


def run(workdir: Path, *extra: str, command: str = "groups") -> int:
    return main(
        [
            command,
            str(workdir / "people.csv"),
            "--policy",
            str(workdir / "policy.toml"),
            "--out",
            str(workdir / "out.csv"),
            *extra,
        ]
    )


def test_groups_writes_every_person_and_a_report(workdir: Path):
    assert run(workdir, "--report", str(workdir / "report.json"), "--seed", "3") == 0
    rows = list(csv.DictReader((workdir / "out.csv").open()))
    assert [row["id"] for row in rows] == [f"p{k:02d}" for k in range(1, 17)]
    assert all(row["group"] and row["slot"] for row in rows)
    report = json.loads((workdir / "report.json").read_text())
    assert set(report["hard_rules"]["violations"].values()) == {0}
    assert report["objective"] == pytest.approx(sum(report["criteria"].values()), abs=1e-5)
    assert report["runtime_seconds"] >= 0
    assert report["peak_memory_mb"] > 0


def test_pairs_writes_partners_symmetrically(workdir: Path):
    assert run(workdir, "--report", str(workdir / "report.json"), command="pairs") == 0
    partner = {row["id"]: row["partner"] for row in csv.DictReader((workdir / "out.csv").open())}
    for person, other in partner.items():
        if other:
            assert partner[other] == person


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "location", "words"),
    [
        ("people.csv", "p02,Ben", "p01,Ben", "people.csv:3:1:", "appears twice"),
        ("people.csv", ",p03,yes,", ",p99,yes,", "people.csv:5:8:", "no person has id 'p99'"),
        (
            "people.csv",
            "Surgery,assistant,1,",
            "Surgery,assistant,one,",
            "people.csv:3:5:",
            "not a number",
        ),
        (
            "policy.toml",
            '"career_stage"',
            '"career"',
            "policy.toml:13:10:",
            "'career' is not a column",
        ),
        ("policy.toml", "max_size = 8", "max_size = 8\nmax_size = 9", "policy.toml:6:", "TOML"),
        ("policy.toml", "max_size = 8", "max_size = 7", "policy.toml:4:1:", "cannot be split"),
        ("policy.toml", 'type = "number"', 'type = "numeric"', "policy.toml:", "type must be"),
    ],
)
def test_bad_input_names_file_line_and_column(workdir, capsys, file, old, new, location, words):
    replace_in(workdir / file, old, new)
    assert run(workdir) == 2
    error = capsys.readouterr().err
    assert location in error
    assert words in error
    assert "Traceback" not in error


def test_missing_file_is_bad_input(workdir: Path, capsys):
    (workdir / "people.csv").unlink()
    assert run(workdir) == 2
    assert "people.csv: file not found" in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["groups"])
    assert stopped.value.code == 2

"""Laying out: the protected cells of a composed report as the tables the page, the PDF
and the plots show."""

from __future__ import annotations

from collections import defaultdict

from peerhaven.outcomes.models import Achievement
from peerhaven.outcomes.report.figures import (
    BANDS,
    CHOICE_KIND,
    PERIODS,
    SATISFACTION_KEYS,
    SCORED_KINDS,
    STATES,
    RawQuestion,
    RawWave,
    Report,
    Table,
    Td,
)


def lay_out(report: Report) -> None:
    raw = report.raw
    count = report.shown
    report.tables = {
        "funnel": Table(
            "funnel",
            "Enrolments by state",
            ["State", "Enrolments"],
            [(label, [Td(count(f"funnel.{state}"))]) for state, label in STATES]
            + [("All enrolments", [Td(count("funnel.total"))])],
        ),
        "participation": Table(
            "participation",
            "Members and circles",
            ["", "Members"],
            [
                ("Members (accepted, with an account)", [Td(count("members"))]),
                ("In a program circle", [Td(count("participation.in_circle"))]),
                ("Not in a program circle", [Td(count("participation.no_circle"))]),
            ],
        ),
        "circles": Table(
            "circles",
            "Circles formed and meetings held",
            ["", "Number"],
            [
                ("Circles formed", [Td(count("circles.formed"))]),
                ("Meetings held", [Td(count("circles.meetings"))]),
            ],
        ),
        "attendance": Table(
            "attendance",
            "Members by share of their meetings attended",
            ["Attendance", "Members"],
            [(label, [Td(count(f"attendance.{band}"))]) for band, label in BANDS],
        ),
        "curve": Table(
            "curve",
            "Circles still meeting, by months since they formed",
            [
                "Month since forming",
                "Circles formed at least that long ago",
                "Still meeting",
                "Share",
            ],
            [
                (
                    str(point["month"]),
                    [
                        Td(count(f"{point['prefix']}.{part}"))
                        for part in ("formed", "meeting", "share")
                    ],
                )
                for point in report.curve
            ],
        ),
        "achievements": _achievement_table(report),
        "waves": Table(
            "waves",
            "Survey waves: members invited and responding",
            ["Wave", "Members invited", "Responded", "Not yet responded"],
            [
                (
                    f"{wave.label} ({wave.instrument})",
                    [
                        Td(count(f"wave.{wave.id}.{part}"))
                        for part in ("invited", "responded", "waiting")
                    ],
                )
                for wave in raw.waves
            ],
        ),
    }
    report.instruments = _instrument_tables(report)
    report.tables["satisfaction"] = _satisfaction_table(report)


def _estimate(report: Report, prefix: str) -> Td | None:
    if f"{prefix}.mean" not in report.disclosure.cells:
        return None
    parts = [report.shown(f"{prefix}.{part}") for part in ("mean", "low", "high", "n")]
    return Td(*parts)


def _achievement_table(report: Report) -> Table:
    rows = []
    for kind, label in Achievement.Kind.choices:
        tds = [Td(report.shown(f"achievements.{kind}.{period}")) for period, _ in PERIODS]
        if any(td.main.suppressed or td.main.value for td in tds):
            rows.append((label, tds))
    return Table(
        "achievements",
        "Achievements per member per year, before and during the program",
        ["Kind", *[label for _, label in PERIODS]],
        rows,
    )


def _instrument_tables(report: Report) -> list[dict]:
    groups: dict[int, list[RawWave]] = defaultdict(list)
    for wave in report.raw.waves:
        groups[wave.instrument_id].append(wave)
    return [_one_instrument(report, waves) for waves in groups.values()]


def _one_instrument(report: Report, waves: list[RawWave]) -> dict:
    questions = _questions_of(waves)
    scored = [q for q in questions if q.kind in SCORED_KINDS]
    labels = [wave.label for wave in waves]
    results = Table(
        f"results.{waves[0].instrument_id}",
        f"{waves[0].instrument}: mean score per wave (95% confidence interval; n answering)",
        ["Question", *labels],
        [(q.prompt, [_estimate(report, f"wave.{w.id}.q.{q.key}") for w in waves]) for q in scored],
    )
    choices = [
        Table(
            f"choices.{waves[0].instrument_id}.{q.key}",
            f"{q.prompt}: members choosing each answer (scored 1 to {len(q.options)})",
            ["Answer", *labels],
            [
                (
                    f"{position}. {option}",
                    [_choice_td(report, w, q.key, position) for w in waves],
                )
                for position, option in enumerate(q.options, start=1)
            ],
        )
        for q in questions
        if q.kind == CHOICE_KIND
    ]
    later = waves[1:]
    change = Table(
        f"change.{waves[0].instrument_id}",
        f"{waves[0].instrument}: paired change from {waves[0].label} "
        "(later minus baseline, same members; 95% confidence interval; n pairs)",
        ["Question", *[f"{waves[0].label} → {w.label}" for w in later]],
        [(q.prompt, [_estimate(report, f"change.{w.id}.{q.key}") for w in later]) for q in scored],
    )
    return {
        "id": waves[0].instrument_id,
        "name": waves[0].instrument,
        "waves": waves,
        "results": results,
        "choices": choices,
        "change": change if later and scored else None,
    }


def _questions_of(waves: list[RawWave]) -> list[RawQuestion]:
    seen: dict[str, RawQuestion] = {}
    for wave in waves:
        for question in wave.questions:
            seen.setdefault(question.key, question)
    return list(seen.values())


def _choice_td(report: Report, wave: RawWave, key: str, position: int) -> Td | None:
    cell_id = f"wave.{wave.id}.q.{key}.option{position}"
    return Td(report.shown(cell_id)) if cell_id in report.disclosure.cells else None


def _satisfaction_table(report: Report) -> Table:
    waves = [w for w in report.raw.waves if {q.key for q in w.questions} & set(SATISFACTION_KEYS)]
    rows = []
    for key in SATISFACTION_KEYS:
        prompts = [q.prompt for w in waves for q in w.questions if q.key == key]
        if prompts:
            tds = [_estimate(report, f"wave.{w.id}.q.{key}") for w in waves]
            rows.append((prompts[0], tds))
    return Table(
        "satisfaction",
        "Satisfaction: mean score per wave (95% confidence interval; n answering)",
        ["Question", *[f"{w.label} ({w.instrument})" for w in waves]],
        rows,
    )

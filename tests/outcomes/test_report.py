"""The program report: figures gathered in a fixed number of queries, composed into tables
whose published cells an attacker cannot use to recover anything about fewer than 5
people; plots drawn only from published cells; the page and the PDF."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerhaven.accounts.models import User
from peerhaven.circles.models import Attendance, Circle, Meeting, Membership
from peerhaven.lib import disclosure as dc
from peerhaven.outcomes import plots
from peerhaven.outcomes.models import (
    Achievement,
    Instrument,
    Question,
    WaveInvitation,
)
from peerhaven.outcomes.report import (
    BANDS,
    STATES,
    RawFigures,
    RawQuestion,
    RawWave,
    build,
    compose,
    months_between,
    still_meeting,
)
from peerhaven.outcomes.statistics import mean_with_ci, paired_change
from peerhaven.programs.models import Enrollment, Program, ProgramCircle
from tests.outcomes.attacker import feasible_ranges
from tests.outcomes.helpers import make_wave, respond
from tests.outcomes.test_disclosure import partitions

BURNOUT = [f"{n} statement" for n in range(1, 6)]
SMALL = st.one_of(st.integers(0, 6), st.integers(0, 25))


# ---- the attacker's view of a published report ---------------------------------------


def implicit_cells(report) -> set[str]:
    return {cid for cid, cell in report.disclosure.cells.items() if not cell.displayed}


def assert_nothing_recoverable(report, published: dict) -> None:
    """``published``: what a reader sees (cell id -> number, None if suppressed)."""
    cells = report.disclosure.cells
    ranges = feasible_ranges(published, implicit_cells(report), report.disclosure.relations)
    for cid, (low, high) in ranges.items():
        true = cells[cid].value
        assert low <= true <= high
        if cid in published or 0 < true < dc.SMALLEST_SHOWN:
            assert low < high, f"{cid} = {true} can be worked out"


def assert_primary_rules(report) -> None:
    for cid, cell in report.disclosure.cells.items():
        shown = report.disclosure.value(cid)
        if not cell.displayed or shown is None:
            continue
        if cell.kind == dc.COUNT:
            assert not 0 < cell.value < dc.SMALLEST_SHOWN, cid
        if cell.kind == dc.STATISTIC:
            assert cell.people >= dc.SMALLEST_SHOWN, cid


# ---- composing generated cohorts (no database) -----------------------------------------


def scores(draw, names, kind):
    low, high = (1, 5)
    return {name: float(draw(st.integers(low, high))) for name in names}


@st.composite
def waves(draw, members: int, count: int) -> list[RawWave]:
    everyone = [f"p{i}" for i in range(members)]
    result = []
    for number in range(count):
        invited = draw(st.integers(0, members))
        responded = draw(st.integers(0, invited))
        who = draw(st.permutations(everyone))[:responded]
        likert_n = draw(st.integers(0, responded))
        choice_n = draw(st.integers(0, responded))
        questions = [
            RawQuestion("mastery_grant", "Grant writing", "likert", [], scores(draw, who, "l")),
            RawQuestion(
                "circle_satisfaction",
                "My circle",
                "likert",
                [],
                scores(draw, who[:likert_n], "l"),
            ),
            RawQuestion("burnout", "Burnout", "single", BURNOUT, scores(draw, who[:choice_n], "c")),
        ]
        result.append(
            RawWave(
                number + 1, f"Wave {number}", 1, "Core", 6 * number, invited, responded, questions
            )
        )
    return result


@st.composite
def raw_figures(draw) -> RawFigures:
    funnel = {state: draw(SMALL) for state, _ in STATES}
    members = draw(st.integers(max(0, funnel["accepted"] - 3), funnel["accepted"]))
    bands = draw(partitions(members, len(BANDS)))
    kinds = draw(st.lists(st.sampled_from(["publication", "poster", "grant_awarded"]), max_size=3))
    achievements = {}
    for kind, period in itertools.product(set(kinds), ["before", "during"]):
        people = draw(st.integers(0, members))
        achievements[(kind, period)] = (people + draw(st.integers(0, 10)) * bool(people), people)
    circles = draw(st.lists(st.tuples(st.integers(0, 30), st.integers(-1, 30)), max_size=6))
    return RawFigures(
        program="Generated",
        starts_on=dt.date(2024, 1, 1),
        today=dt.date(2026, 1, 1),
        funnel=funnel,
        members=members,
        in_circle=draw(st.integers(0, members)),
        attendance=dict(zip([band for band, _ in BANDS], bands, strict=True)),
        circles_formed=len(circles),
        meetings_held=draw(st.integers(0, 100)),
        circle_months=[(age, min(last, age)) for age, last in circles],
        years_before=2.0,
        years_during=2.0,
        achievements=achievements,
        waves=draw(waves(members, draw(st.integers(0, 3)))),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_figures())
def test_no_suppressed_figure_of_a_generated_cohort_can_be_recovered(raw):
    report = compose(raw)
    assert_primary_rules(report)
    assert_nothing_recoverable(report, report.disclosure.published())


def test_the_same_members_link_the_funnel_participation_attendance_and_waves():
    raw = RawFigures(
        "P",
        dt.date(2024, 1, 1),
        dt.date(2026, 1, 1),
        funnel={"accepted": 40, "withdrawn": 6},
        members=40,
        in_circle=40,
        attendance={"75_up": 40},
        circles_formed=5,
        meetings_held=60,
        circle_months=[],
        years_before=2.0,
        years_during=2.0,
        achievements={},
        # 38 of 40 members invited: the 2 not invited could be worked out from the funnel.
        waves=[RawWave(1, "Baseline", 1, "Core", 0, 38, 30, [])],
    )
    report = compose(raw)
    published = report.disclosure.published()
    assert published["funnel.accepted"] == 40
    assert published["wave.1.invited"] is None  # hidden: 40 - 38 = 2
    assert published["wave.1.responded"] == 30
    assert_nothing_recoverable(report, published)


@pytest.mark.django_db  # the plots' cache
def test_plots_are_drawn_from_published_cells_only():
    raw = RawFigures(
        "P",
        dt.date(2024, 1, 1),
        dt.date(2026, 1, 1),
        funnel={"accepted": 30, "waitlisted": 3, "withdrawn": 9},
        members=30,
        in_circle=30,
        attendance={"75_up": 27, "50_74": 3},
        circles_formed=4,
        meetings_held=60,
        circle_months=[(12, 11), (12, 3), (10, 10), (8, 2)],
        years_before=2.0,
        years_during=2.0,
        achievements={("publication", "during"): (3, 2), ("poster", "during"): (40, 12)},
        waves=[],
    )
    report = compose(raw)
    hidden = report.disclosure.hidden
    assert {"funnel.waitlisted", "attendance.50_74", "achievements.publication.during"} <= hidden
    # Give every hidden cell a value no plot could show by chance: it must not appear.
    for cid in hidden:
        cell = report.disclosure.cells[cid]
        report.disclosure.cells[cid] = dc.Cell(cid, 987654, cell.kind, cell.people)
    svg = "".join(plot.svg for plot in plots.report_plots(report))
    assert "987654" not in svg
    assert "suppressed" in svg
    assert "style=" not in svg  # the page's CSP forbids inline styles
    assert svg.count("<title id=") == len(plots.report_plots(report))


# ---- statistics ---------------------------------------------------------------------


def test_paired_change_matches_a_paired_t_interval():
    from scipy import stats

    before = {"a": 2, "b": 3, "c": 3, "d": 4, "e": 2, "f": 1}
    after = {"a": 3, "b": 3, "c": 4, "d": 5, "e": 4, "f": 2, "g": 5}  # g has no baseline
    change = paired_change(before, after)
    test = stats.ttest_rel([after[k] for k in before], list(before.values()))
    low, high = test.confidence_interval(0.95)
    assert change.n == 6
    assert change.mean == pytest.approx(1.0)
    assert (change.low, change.high) == (pytest.approx(low), pytest.approx(high))
    assert mean_with_ci([4.0]).low is None
    assert mean_with_ci([]).mean is None


def test_still_meeting_counts_circles_old_enough_that_met_that_month_or_later():
    assert months_between(dt.date(2025, 1, 31), dt.date(2025, 3, 1)) == 1
    assert months_between(dt.date(2025, 3, 1), dt.date(2025, 1, 1)) == 0
    # (age in months, month of last meeting): one stopped after month 1, one never met.
    rows = still_meeting([(4, 3), (4, 1), (2, -1)])
    assert rows == [(0, 3, 2), (1, 3, 2), (2, 2, 1), (3, 2, 1)]


# ---- the page and the PDF, for cohorts in the database ---------------------------------

pytestmark_db = pytest.mark.django_db
CELL = re.compile(r'data-cell="([^"]+)"[^>]*>([^<]*)<')
serial = itertools.count()


def make_instrument(organization) -> Instrument:
    instrument = Instrument.objects.create(organization=organization, name="Core outcomes")
    for position, (key, kind, required) in enumerate(
        [
            ("mastery_grant", "likert", True),
            ("circle_satisfaction", "likert", False),
            ("burnout", "single", True),
        ]
    ):
        Question.objects.create(
            instrument=instrument,
            key=key,
            kind=kind,
            position=position,
            prompt=key,
            required=required,
            choices="\n".join(BURNOUT) if kind == "single" else "",
        )
    return instrument


def make_cohort(program, spec: dict) -> None:
    """Members and the rest from a small description (see ``cohorts``)."""
    run = next(serial)
    users = []
    for state, number in spec["funnel"].items():
        for i in range(number):
            user = None
            if state == "accepted" and i >= spec["no_account"]:
                user = User.objects.create(email=f"c{run}-{i}@example.org")
                users.append(user)
            Enrollment.objects.create(
                program=program,
                user=user,
                state=state,
                email=f"e{run}-{state}-{i}@example.org",
                name=f"Person {run} {state} {i}",
            )
    start = timezone.now() - dt.timedelta(days=200)
    for c, (size, meetings, attended) in enumerate(spec["circles"]):
        circle = Circle.objects.create(name=f"Secret circle name {run}-{c}")
        ProgramCircle.objects.create(program=program, circle=circle, label=f"G{c}")
        group = users[c * 4 : c * 4 + size]
        Membership.objects.bulk_create(Membership(circle=circle, user=u) for u in group)
        for m in range(meetings):
            at = start + dt.timedelta(days=14 * m)
            meeting = Meeting.objects.create(circle=circle, starts_at=at, ends_at=at)
            Attendance.objects.bulk_create(
                Attendance(
                    meeting=meeting, user=u, status="present" if (i + m) % attended else "absent"
                )
                for i, u in enumerate(group)
            )
    for i, (kind, before) in enumerate(spec["achievements"]):
        user = users[i % len(users)] if users else None
        if user:
            when = program.starts_on + dt.timedelta(days=-100 if before else 100)
            Achievement.objects.create(
                user=user, kind=kind, date=when, title=f"T{i}", title_key=f"t{i}"
            )
    instrument = make_instrument(program.organization)
    for w, (invited, responded) in enumerate(spec["waves"]):
        today = timezone.localdate()
        wave = make_wave(
            program,
            instrument,
            label=f"Wave {w}",
            months=6 * w,
            opens_on=today - dt.timedelta(days=30 - w),
            closes_on=today,
        )
        invited = min(invited, len(users))
        for i, user in enumerate(users[:invited]):
            WaveInvitation.objects.create(wave=wave, user=user, completed=i < responded)
            if i < responded:
                values = {"mastery_grant": 1 + (i + w) % 5}
                if i % 3:
                    values["circle_satisfaction"] = 1 + i % 5
                values["burnout"] = BURNOUT[(i * 7) % 5]
                respond(wave, user, values, submitted_on=today)


cohorts = st.fixed_dictionaries(
    {
        "funnel": st.fixed_dictionaries(
            {
                "accepted": st.integers(0, 16),
                "applied": st.integers(0, 6),
                "waitlisted": st.integers(0, 6),
                "withdrawn": st.integers(0, 3),
            }
        ),
        "no_account": st.integers(0, 2),
        "circles": st.lists(
            st.tuples(st.integers(1, 8), st.integers(0, 4), st.integers(1, 4)), max_size=3
        ),
        "achievements": st.lists(
            st.tuples(st.sampled_from(["publication", "poster"]), st.booleans()), max_size=20
        ),
        "waves": st.lists(st.tuples(st.integers(0, 16), st.integers(0, 16)), max_size=2),
    }
)


def published_on(page: str) -> dict:
    found = {}
    for cid, text in CELL.findall(page):
        text = text.strip()
        found[cid] = None if text in ("suppressed", "–") else float(text)
    return found


def check_page(report, page: str) -> None:
    shown = published_on(page)
    assert shown, "the page names its figures"
    for cid, value in shown.items():
        engine = report.disclosure.value(cid)
        if value is None:
            assert engine is None, f"{cid} is shown by the engine but not the page"
        else:
            assert engine == pytest.approx(value, abs=0.006), cid
    for cid in report.disclosure.hidden:
        assert shown.get(cid) is None
    # The attacker reads only the page: cells absent from it (an "n" beside "no answers")
    # are unknown, and at least 0.
    published = {cid: value for cid, value in shown.items() if cid in report.disclosure.cells}
    assert_nothing_recoverable(report, published)


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(spec=cohorts)
def test_the_page_publishes_the_engines_cells_and_nothing_recoverable(
    spec, client_for, dana, lakeshore
):
    program = Program.objects.create(
        organization=lakeshore,
        name=f"Generated {next(serial)}",
        starts_on=timezone.localdate() - dt.timedelta(days=365),
    )
    make_cohort(program, spec)
    response = client_for(dana).get(reverse("outcomes:program_report", args=[program.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    check_page(build(program), page)
    assert "Secret circle name" not in page
    assert "Person " not in page
    assert "@example.org" not in page


@pytest.fixture
def cohort_program(lakeshore):
    program = Program.objects.create(
        organization=lakeshore,
        name="Cohort program",
        starts_on=timezone.localdate() - dt.timedelta(days=400),
    )
    make_cohort(
        program,
        {
            "funnel": {"accepted": 14, "applied": 6, "waitlisted": 3, "withdrawn": 0},
            "no_account": 0,
            "circles": [(7, 4, 3), (7, 3, 2)],
            "achievements": [("publication", True)] * 9
            + [("publication", False)] * 12
            + [("poster", False)] * 2,
            "waves": [(14, 12), (14, 9)],
        },
    )
    return program


@pytest.mark.django_db
def test_the_coordinator_reads_the_report_with_plots(client_for, dana, cohort_program):
    page = client_for(dana).get(reverse("outcomes:program_report", args=[cohort_program.pk]))
    text = page.content.decode()
    for heading in [
        "Program report",
        "Enrolment and participation",
        "Circles and meetings",
        "Attendance",
        "Circles still meeting",
        "Achievements",
        "Survey results",
        "Satisfaction",
        "How figures are protected",
        "Download the PDF",
    ]:
        assert heading in text
    assert text.count('<svg xmlns="http://www.w3.org/2000/svg"') >= 5
    assert 'data-cell="funnel.waitlisted">suppressed' in text
    check_page(build(cohort_program), text)


@pytest.mark.django_db
def test_the_pdf_has_the_headings_and_figures_and_no_suppressed_number(
    client_for, rhea, cohort_program
):
    from pypdf import PdfReader

    response = client_for(rhea).get(
        reverse("outcomes:program_report_pdf", args=[cohort_program.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", " ", text)
    for heading in [
        "Program report",
        "Enrolment and participation",
        "Circles still meeting",
        "Achievements per member per year",
        "Survey results",
        "Satisfaction",
    ]:
        assert heading in text
    assert "Accepted 14" in text
    assert "Waitlisted suppressed" in text  # 3 people
    assert "Waitlisted 3" not in text
    assert "Download the PDF" not in text


@pytest.mark.django_db
def test_report_queries_do_not_grow_with_the_program(
    client_for, dana, lakeshore, cohort_program, django_assert_num_queries
):
    small = Program.objects.create(
        organization=lakeshore, name="Small", starts_on=cohort_program.starts_on
    )
    make_cohort(
        small,
        {
            "funnel": {"accepted": 5},
            "no_account": 0,
            "circles": [(5, 1, 1)],
            "achievements": [],
            "waves": [(5, 5)],
        },
    )
    client = client_for(dana)
    for program in (small, cohort_program):
        # 19 for the figures and the page, 1 to find the plots in the cache, 5 to store
        # them the first time.
        with django_assert_num_queries(25):
            client.get(reverse("outcomes:program_report", args=[program.pk]))
        with django_assert_num_queries(20):
            client.get(reverse("outcomes:program_report", args=[program.pk]))


@pytest.mark.django_db
def test_the_dashboard_hides_what_its_total_would_give_away(client_for, dana, sample_program):
    from peerhaven.programs import reports

    program = sample_program["program"]  # Bob applied
    for n in range(6):
        Enrollment.objects.create(
            program=program, email=f"a{n}@example.org", name="A", state="accepted"
        )
    funnel = dict(reports.funnel(program))
    assert funnel["All enrolments"] == 7
    assert funnel["Applied"] is None  # Bob alone
    assert funnel["Accepted"] is None  # else 7 - 6 = 1
    assert funnel["Withdrawn"] == 0
    page = client_for(dana).get(reverse("programs:detail", args=[program.pk])).content.decode()
    assert reverse("outcomes:program_report", args=[program.pk]) in page
    assert reverse("outcomes:waves", args=[program.pk]) in page

"""Surveys, the member's side: built-in instruments, scheduling, opening and reminders,
answering (once, in range) and the pseudonym that links a member's waves."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from peerhaven.outcomes import instruments as builtin
from peerhaven.outcomes import survey_actions as actions
from peerhaven.outcomes.models import Answer, Instrument, Question, Response, Wave, WaveInvitation
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.outcomes.survey_actions import SurveyError
from peerhaven.programs.models import Enrollment
from tests.conftest import make_member
from tests.outcomes.helpers import make_wave

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 3, 1)
CANARY = "Canary-written-answer-7f3a"


@pytest.fixture
def program(sample_program):
    return sample_program["program"]


def accept(program, user) -> Enrollment:
    enrollment, _ = Enrollment.objects.update_or_create(
        program=program,
        email=user.email,
        defaults={"user": user, "name": user.display_name, "state": Enrollment.State.ACCEPTED},
    )
    return enrollment


@pytest.fixture
def instrument(lakeshore):
    """Lakeshore's own instrument with one question of every kind."""
    instrument = Instrument.objects.create(organization=lakeshore, name="Lakeshore check-in")
    kinds = [
        ("pulse", "likert", "How is it going?", {"low_label": "Badly", "high_label": "Great"}),
        ("role", "single", "Your role?", {"choices": "Hospitalist\nSurgeon"}),
        ("helped", "multiple", "What helped?", {"choices": "Circle\nPair\nTalks"}),
        ("papers", "number", "Papers this year?", {"min_value": 0, "max_value": 50}),
        ("comment", "text", "Anything else?", {"required": False}),
    ]
    for position, (key, kind, prompt, extra) in enumerate(kinds, start=1):
        Question.objects.create(
            instrument=instrument, key=key, kind=kind, prompt=prompt, position=position, **extra
        )
    return instrument


def open_wave(program, instrument, *, today=None, label="Baseline", months=0) -> Wave:
    today = today or timezone.localdate()
    return make_wave(program, instrument, label=label, months=months, opens_on=today)


ANSWERS = {"pulse": 4, "role": "Hospitalist", "helped": ["Talks"], "papers": 2, "comment": CANARY}
GOOD = {
    "q_pulse": "4",
    "q_role": "Hospitalist",
    "q_helped": ["Circle", "Talks"],
    "q_papers": "3",
    "q_comment": CANARY,
}


@pytest.fixture
def invited(program, instrument, bob):
    """An open wave to which Bob, accepted, is invited."""
    accept(program, bob)
    wave = open_wave(program, instrument)
    actions.do_open_due_waves()
    return wave


# Built-in instruments


def test_builtin_instruments_match_their_definitions():
    """The migration's frozen copy and instruments.py agree (change both, with a migration)."""
    for definition in builtin.BUILTIN_INSTRUMENTS:
        instrument = Instrument.objects.get(key=definition["key"], organization=None)
        assert instrument.name == definition["name"]
        assert instrument.description == definition["description"]
        stored = [
            {
                "key": q.key,
                "kind": q.kind,
                "prompt": q.prompt,
                "choices": q.choices,
                "low_label": q.low_label,
                "high_label": q.high_label,
                "required": q.required,
            }
            for q in instrument.questions.all()
        ]
        assert stored == definition["questions"]


def test_builtin_keys_the_other_parts_rely_on():
    core = Instrument.objects.get(key="core-outcomes")
    keys = [q.key for q in core.questions.all()]
    mastery = [k for k in keys if k.startswith("mastery_")]
    assert len(mastery) == 7
    assert keys[7:] == ["job_satisfaction", "burnout", "belonging", "circle_satisfaction"]
    burnout = core.questions.get(key="burnout")
    assert burnout.kind == "single"
    assert len(burnout.choice_list) == 5
    assert not core.questions.get(key="circle_satisfaction").required
    for question in core.questions.filter(kind="likert"):
        assert question.low_label
        assert question.high_label
    for key in ("academic-mastery", "job-satisfaction", "burnout", "belonging"):
        assert Instrument.objects.get(key=key).questions.exists()
    assert Instrument.objects.get(key="circle-satisfaction").questions.get().key == (
        "circle_satisfaction"
    )


def test_builtin_migration_is_reversible():
    from django.apps import apps

    migration = importlib.import_module("peerhaven.outcomes.migrations.0002_builtin_instruments")
    migration.remove_builtins(apps, None)
    assert not Instrument.objects.filter(organization=None).exists()
    assert not Question.objects.exists()
    migration.create_builtins(apps, None)
    migration.create_builtins(apps, None)  # twice: nothing doubled
    assert Instrument.objects.filter(organization=None).count() == 6
    assert Question.objects.filter(instrument__key="core-outcomes").count() == 11


# Scheduling


def test_standard_waves_baseline_6_12_months_then_yearly_for_three_years(program, dana):
    core = Instrument.objects.get(key="core-outcomes")
    made, skipped = actions.do_schedule_standard_waves(
        program, instrument=core, acting_user=dana, today=dt.date(2026, 12, 1)
    )
    assert [(w.label, w.months_after_start) for w in made] == [
        ("Baseline", 0),
        ("6 months", 6),
        ("12 months", 12),
        ("2 years", 24),
        ("3 years", 36),
    ]
    assert made[0].opens_on == program.starts_on == dt.date(2027, 1, 15)
    assert made[1].opens_on == dt.date(2027, 7, 15)
    assert all((w.closes_on - w.opens_on).days == 21 for w in made)
    assert skipped == []
    # Again: nothing twice.
    again, skipped = actions.do_schedule_standard_waves(
        program, instrument=core, acting_user=dana, today=dt.date(2026, 12, 1)
    )
    assert again == []
    assert len(skipped) == 5
    assert program.survey_waves.count() == 5


def test_standard_waves_stop_at_the_programs_end_and_skip_what_is_over(program, dana):
    program.ends_on = dt.date(2028, 1, 15)
    program.save()
    core = Instrument.objects.get(key="core-outcomes")
    made, skipped = actions.do_schedule_standard_waves(
        program, instrument=core, days_open=10, acting_user=dana, today=dt.date(2027, 3, 1)
    )
    assert [w.label for w in made] == ["6 months", "12 months"]
    assert skipped == ["Baseline"]  # closed on 25 January
    assert all((w.closes_on - w.opens_on).days == 10 for w in made)


def test_an_instrument_without_questions_cannot_be_scheduled(program, dana, lakeshore):
    empty = Instrument.objects.create(organization=lakeshore, name="Empty")
    with pytest.raises(SurveyError, match="no questions"):
        actions.do_schedule_standard_waves(program, instrument=empty, acting_user=dana)
    assert not program.survey_waves.exists()


def test_a_wave_closing_before_it_opens_is_refused(program, dana, instrument):
    with pytest.raises(SurveyError, match="close on or after"):
        actions.do_schedule_wave(
            program,
            acting_user=dana,
            instrument=instrument,
            label="Odd",
            months_after_start=0,
            opens_on=dt.date(2027, 2, 1),
            closes_on=dt.date(2027, 1, 31),
        )


# Opening and e-mail


def test_opening_invites_accepted_members_with_accounts_only(
    program, instrument, bob, carol, erin, alice, mailoutbox, django_capture_on_commit_callbacks
):
    accept(program, bob)
    accept(program, carol)
    Enrollment.objects.filter(program=program, user=carol).update(state="withdrawn")
    Enrollment.objects.create(program=program, user=erin, email=erin.email, state="waitlisted")
    Enrollment.objects.create(program=program, email="noaccount@example.org", state="accepted")
    wave = open_wave(program, instrument)
    later = open_wave(program, instrument, today=timezone.localdate() + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_open_due_waves() == 1
    assert list(wave.invitations.values_list("user", flat=True)) == [bob.pk]
    assert not later.invitations.exists()  # not open yet
    wave.refresh_from_db()
    assert wave.invitations_sent_at is not None
    [message] = mailoutbox
    assert message.to == [bob.email]
    assert "A survey from New Faculty Peer Mentoring is open until" in message.subject
    assert reverse("outcomes:survey_answer", args=[wave.pk]) in message.body
    # Running again invites nobody twice; a late joiner is invited to the open wave.
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_open_due_waves() == 0
        accept(program, alice)
        assert actions.do_open_due_waves() == 1
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [alice.email]


def test_emails_carry_no_questions_and_no_answers(
    program, instrument, bob, carol, mailoutbox, django_capture_on_commit_callbacks
):
    accept(program, bob)
    accept(program, carol)
    wave = open_wave(program, instrument, today=timezone.localdate() - dt.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_open_due_waves(today=wave.opens_on)
    wave.invitations.update(invited_at=timezone.now() - dt.timedelta(days=7))
    questions = {q.key: q for q in instrument.questions.all()}
    actions.do_submit_response(wave, carol, {questions[k]: v for k, v in ANSWERS.items()})
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_send_reminders() == 1
    assert len(mailoutbox) == 3
    for message in mailoutbox:
        text = message.subject + message.body + message.alternatives[0][0]
        for question in instrument.questions.all():
            assert question.prompt not in text
        assert "Hospitalist" not in text
        assert CANARY not in text


def test_command_opens_and_reminds_idempotently(
    program, instrument, bob, mailoutbox, django_capture_on_commit_callbacks
):
    accept(program, bob)
    open_wave(program, instrument)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_survey_invitations", stdout=io.StringIO())
        call_command("send_survey_invitations", stdout=io.StringIO())
    assert len(mailoutbox) == 1


def queries_to_open_and_remind(program, instrument, members, captured_queries) -> int:
    for number in range(members):
        accept(program, make_member(f"m{members}-{number}@example.org", f"Member {number}"))
    wave = open_wave(program, instrument, today=TODAY)
    with captured_queries() as opening:
        actions.do_open_due_waves(today=TODAY)
    wave.invitations.update(invited_at=timezone.now() - dt.timedelta(days=30))
    with captured_queries() as reminding:
        actions.do_send_reminders(today=TODAY + dt.timedelta(days=7))
    return len(opening) + len(reminding)


def test_opening_and_reminding_take_the_same_queries_for_2_or_20_members(
    program, instrument, django_capture_on_commit_callbacks
):
    # The e-mails greet each member by name: names come with the invitations, not one query
    # per member.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def captured_queries():
        return CaptureQueriesContext(connection)

    few = queries_to_open_and_remind(program, instrument, 2, captured_queries)
    Wave.objects.all().delete()
    many = queries_to_open_and_remind(program, instrument, 20, captured_queries)
    assert many == few


# Reminders


@pytest.fixture
def reminder_wave(program, instrument, bob, carol):
    """A wave opened on TODAY with Bob and Carol invited then."""
    accept(program, bob)
    accept(program, carol)
    wave = open_wave(program, instrument, today=TODAY)
    actions.do_open_due_waves(today=TODAY)
    opened = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(9)))
    wave.invitations.update(invited_at=opened)
    return wave


def test_reminder_days_are_a_week_in_and_three_days_before_closing(reminder_wave):
    assert actions.reminder_days(reminder_wave) == [
        TODAY + dt.timedelta(days=7),
        TODAY + dt.timedelta(days=18),
    ]


def remind_on(day: dt.date) -> int:
    # reminded_at is stamped "now"; pretend now is noon on ``day``.
    from unittest import mock

    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=noon):
        return actions.do_send_reminders(today=day)


def test_reminders_go_once_per_reminder_day_to_those_not_answered(
    reminder_wave, bob, carol, mailoutbox, django_capture_on_commit_callbacks
):
    reminder_wave.invitations.filter(user=carol).update(completed=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_on(TODAY + dt.timedelta(days=6)) == 0  # not due yet
        assert remind_on(TODAY + dt.timedelta(days=7)) == 1
        assert remind_on(TODAY + dt.timedelta(days=7)) == 0  # run twice the same day
        assert remind_on(TODAY + dt.timedelta(days=12)) == 0  # nothing new due
        assert remind_on(TODAY + dt.timedelta(days=18)) == 1
        assert remind_on(TODAY + dt.timedelta(days=20)) == 0
        assert remind_on(TODAY + dt.timedelta(days=22)) == 0  # closed
    assert [m.to for m in mailoutbox] == [[bob.email], [bob.email]]
    assert all("Reminder" in m.subject for m in mailoutbox)


def test_a_withdrawn_member_is_not_reminded(program, reminder_wave, carol):
    Enrollment.objects.filter(program=program, user=carol).update(state="withdrawn")
    assert remind_on(TODAY + dt.timedelta(days=7)) == 1  # Bob only


def test_reminders_now_skip_those_contacted_in_the_last_three_days(invited, dana, carol):
    program = invited.program
    accept(program, carol)
    actions.do_open_due_waves()
    assert actions.do_send_reminders_now(invited, acting_user=dana) == 0  # just invited
    invited.invitations.update(invited_at=timezone.now() - dt.timedelta(days=4))
    assert actions.do_send_reminders_now(invited, acting_user=dana) == 2
    assert actions.do_send_reminders_now(invited, acting_user=dana) == 0  # clicked twice
    # A manual reminder the day before the scheduled one a week in takes its place.
    day_six = dt.datetime.combine(invited.opens_on + dt.timedelta(days=6), dt.time(12))
    invited.invitations.update(reminded_at=timezone.make_aware(day_six))
    assert remind_on(invited.opens_on + dt.timedelta(days=7)) == 0
    assert remind_on(invited.opens_on + dt.timedelta(days=18)) == 2
    with pytest.raises(SurveyError, match="not open"):
        actions.do_send_reminders_now(
            invited, acting_user=dana, today=invited.closes_on + dt.timedelta(days=1)
        )


# Answering


def answer_url(wave) -> str:
    return reverse("outcomes:survey_answer", args=[wave.pk])


def test_member_answers_on_one_page_and_the_prompt_disappears(client_for, bob, invited):
    client = client_for(bob)
    home = client.get(reverse("dashboard")).content.decode()
    assert "A survey from New Faculty Peer Mentoring is waiting" in home
    assert "about 2 minutes" in home  # five questions
    page = client.get(answer_url(invited)).content.decode()
    assert "<legend>How is it going?" in page
    assert "1 — Badly" in page
    assert "5 — Great" in page
    assert "only totals across at least 5 people" in page
    assert "linked to each other by a code, not by your name" in page
    response = client.post(answer_url(invited), GOOD)
    assert response.status_code == 302
    assert response.url == reverse("outcomes:surveys")
    listing = client.get(response.url).content.decode()
    assert "Thank you" in listing
    assert "Answered" in listing
    assert CANARY not in listing
    assert "Hospitalist" not in listing
    assert "is waiting" not in client.get(reverse("dashboard")).content.decode()
    response = Response.objects.get(wave=invited)
    assert response.pseudonym == pseudonym(invited.program_id, bob.pk)
    assert response.submitted_on == timezone.localdate()
    values = {a.question.key: (a.value, a.text) for a in response.answers.all()}
    assert values == {
        "pulse": (4, ""),
        "role": ("Hospitalist", ""),
        "helped": (["Circle", "Talks"], ""),
        "papers": (3, ""),
        "comment": (None, CANARY),
    }
    assert invited.invitations.get(user=bob).completed


def test_optional_question_may_be_left_blank(client_for, bob, invited):
    data = {**GOOD, "q_comment": ""}
    assert client_for(bob).post(answer_url(invited), data).status_code == 302
    assert not Answer.objects.filter(question__key="comment").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("q_pulse", "7", "Choose a number from 1 to 5."),
        ("q_pulse", "0", "Choose a number from 1 to 5."),
        ("q_pulse", "", "Please answer this question."),
        ("q_role", "Dean", "Choose one of the options offered."),
        ("q_helped", ["Circle", "Bribes"], "Choose only from the options offered."),
        ("q_papers", "-1", "Enter a number no smaller than 0."),
        ("q_papers", "51", "Enter a number no larger than 50."),
        ("q_papers", "lots", "Enter a number."),
        ("q_papers", "nan", "Enter a number."),
        ("q_comment", "x" * 5001, "Keep this to 5,000 characters (yours has 5,001)."),
    ],
)
def test_out_of_range_answers_come_back_beside_the_field_and_nothing_is_saved(
    client_for, bob, invited, field, value, message
):
    data = {**GOOD, field: value}
    response = client_for(bob).post(answer_url(invited), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    page = response.content.decode()
    assert "Nothing was saved yet" in page
    form = response.context["form"]
    if field != "q_role":  # typed answers kept
        assert form["q_role"].value() == "Hospitalist"
    if field != "q_comment":
        assert CANARY in page
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not invited.invitations.get().completed


def test_a_second_submission_is_refused_and_changes_nothing(client_for, bob, invited):
    client = client_for(bob)
    client.post(answer_url(invited), GOOD)
    again = client.post(answer_url(invited), {**GOOD, "q_pulse": "1", "q_comment": "changed"})
    assert again.status_code == 200
    day = timezone.localdate()
    assert f"You already answered this survey on {day.day} {day:%B %Y}" in again.content.decode()
    assert Response.objects.count() == 1
    assert Answer.objects.get(question__key="pulse").value == 4
    assert Answer.objects.get(question__key="comment").text == CANARY
    # The page itself says so too, with no form.
    page = client.get(answer_url(invited)).content.decode()
    assert "You already answered this survey" in page
    assert "Send my answers" not in page


def test_the_unique_constraint_refuses_a_racing_second_response(invited, bob, instrument):
    """As if two submissions both passed the invitation check (no row locks on SQLite)."""
    Response.objects.create(
        wave=invited, pseudonym=pseudonym(invited.program_id, bob.pk), submitted_on=TODAY
    )
    questions = {q.key: q for q in instrument.questions.all()}
    with pytest.raises(SurveyError, match="already answered"):
        actions.do_submit_response(invited, bob, {questions[k]: v for k, v in ANSWERS.items()})
    assert Response.objects.count() == 1
    assert not Answer.objects.exists()
    assert not invited.invitations.get().completed


def test_the_action_checks_answers_too(invited, bob, instrument):
    questions = {q.key: q for q in instrument.questions.all()}
    answers = {
        questions["pulse"]: 9,
        questions["role"]: "Hospitalist",
        questions["helped"]: ["Pair"],
        questions["papers"]: 2,
    }
    with pytest.raises(SurveyError, match="from 1 to 5"):
        actions.do_submit_response(invited, bob, answers)
    assert not Response.objects.exists()


def test_the_wave_must_be_open(client_for, program, instrument, bob):
    accept(program, bob)
    today = timezone.localdate()
    wave = open_wave(program, instrument, today=today + dt.timedelta(days=3))
    WaveInvitation.objects.create(wave=wave, user=bob)
    page = client_for(bob).get(answer_url(wave)).content.decode()
    assert "This survey is not open yet" in page
    assert "Send my answers" not in page
    response = client_for(bob).post(answer_url(wave), GOOD)
    assert "not open yet" in response.content.decode()
    assert not Response.objects.exists()
    Wave.objects.filter(pk=wave.pk).update(
        opens_on=today - dt.timedelta(days=30), closes_on=today - dt.timedelta(days=1)
    )
    assert "This survey closed on" in client_for(bob).get(answer_url(wave)).content.decode()
    assert not Response.objects.exists()


def test_only_the_invited_member_may_open_the_form(client_for, invited, carol, dana, sam, rhea):
    for person in (carol, dana, sam, rhea):
        assert client_for(person).get(answer_url(invited)).status_code == 404
        assert client_for(person).post(answer_url(invited), GOOD).status_code == 404
    assert not Response.objects.exists()


def test_forged_wave_ids_are_404(client_for, bob, invited):
    assert client_for(bob).get(reverse("outcomes:survey_answer", args=[999999])).status_code == 404


def test_a_member_who_withdrew_no_longer_sees_the_survey(client_for, program, bob, invited):
    Enrollment.objects.filter(program=program, user=bob).update(state="withdrawn")
    assert client_for(bob).get(answer_url(invited)).status_code == 404
    assert "is waiting" not in client_for(bob).get(reverse("dashboard")).content.decode()


# Pseudonyms


def test_pseudonym_links_a_members_waves_in_a_program_but_not_across_programs(
    program, instrument, bob, dana, lakeshore
):
    from peerhaven.programs.actions import do_create_program

    other = do_create_program(
        acting_user=dana, organization=lakeshore, name="Second", starts_on=dt.date(2027, 1, 1)
    )
    pulse = instrument.questions.get(key="pulse")
    answers = dict.fromkeys(instrument.questions.all())
    answers.update(
        {
            pulse: 3,
            instrument.questions.get(key="role"): "Surgeon",
            instrument.questions.get(key="helped"): ["Pair"],
            instrument.questions.get(key="papers"): 0,
        }
    )
    codes = []
    for prog, label in ((program, "Baseline"), (program, "6 months"), (other, "Baseline")):
        accept(prog, bob)
        wave = open_wave(prog, instrument, label=label)
        WaveInvitation.objects.create(wave=wave, user=bob)
        codes.append(actions.do_submit_response(wave, bob, answers).pseudonym)
    assert codes[0] == codes[1]
    assert codes[0] != codes[2]
    assert str(bob.pk) not in codes[0]


# Member pages


def test_member_list_shows_open_and_answered_without_answers(client_for, bob, invited):
    client = client_for(bob)
    page = client.get(reverse("outcomes:surveys")).content.decode()
    assert "A survey from New Faculty Peer Mentoring" in page
    client.post(answer_url(invited), GOOD)
    page = client.get(reverse("outcomes:surveys")).content.decode()
    assert "Nothing is waiting for you now." in page
    assert CANARY not in page


def test_member_survey_list_query_count(
    client_for, program, instrument, bob, dana, lakeshore, django_assert_num_queries
):
    from peerhaven.programs.actions import do_create_program

    for n in range(4):
        prog = do_create_program(
            acting_user=dana, organization=lakeshore, name=f"P{n}", starts_on=TODAY
        )
        accept(prog, bob)
        for label in ("Baseline", "6 months"):
            WaveInvitation.objects.create(wave=open_wave(prog, instrument, label=label), user=bob)
    client = client_for(bob)
    # One query for all the member's invitations; the other six are every signed-in page's
    # (session read and save with its savepoint, user, profile).
    with django_assert_num_queries(7):
        response = client.get(reverse("outcomes:surveys"))
    assert response.status_code == 200
    assert len(response.context["surveys"]["open"]) == 8

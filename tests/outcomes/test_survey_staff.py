"""Surveys, the staff's side: waves with counts only, scheduling, instruments and the
builder, and the promise that no staff page shows anyone's answers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.outcomes import survey_actions as actions
from peerhaven.outcomes.models import Instrument, Question, Wave, WaveInvitation
from tests.conftest import make_member
from tests.outcomes.test_surveys import ANSWERS, CANARY, accept, open_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(sample_program):
    return sample_program["program"]


@pytest.fixture
def instrument(lakeshore):
    instrument = Instrument.objects.create(organization=lakeshore, name="Lakeshore check-in")
    for position, (key, kind, prompt, extra) in enumerate(
        [
            ("pulse", "likert", "How is it going?", {}),
            ("role", "single", "Your role?", {"choices": "Hospitalist\nSurgeon"}),
            ("helped", "multiple", "What helped?", {"choices": "Circle\nPair\nTalks"}),
            ("papers", "number", "Papers this year?", {"min_value": 0, "max_value": 50}),
            ("comment", "text", "Anything else?", {"required": False}),
        ],
        start=1,
    ):
        Question.objects.create(
            instrument=instrument, key=key, kind=kind, prompt=prompt, position=position, **extra
        )
    return instrument


def cohort(program, size: int) -> list:
    people = [make_member(f"m{n}@example.org", f"Member Number{n}") for n in range(size)]
    for person in people:
        accept(program, person)
    return people


def answer_all(wave, people, instrument) -> None:
    questions = {q.key: q for q in instrument.questions.all()}
    for person in people:
        actions.do_submit_response(wave, person, {questions[k]: v for k, v in ANSWERS.items()})


def waves_url(program) -> str:
    return reverse("outcomes:waves", args=[program.pk])


def instrument_url(program, instrument) -> str:
    return reverse("outcomes:instrument", args=[program.pk, instrument.pk])


@pytest.fixture
def facilitator(lakeshore):
    user = make_member("fay@example.org", "Fay Facilitator")
    StaffRole.objects.create(organization=lakeshore, user=user, role=StaffRole.Role.FACILITATOR)
    return user


# The waves page


def test_counts_are_shown_and_small_ones_hidden(client_for, dana, program, instrument):
    people = cohort(program, 10)
    wave = open_wave(program, instrument)
    actions.do_open_due_waves()
    answer_all(wave, people[:5], instrument)
    small = open_wave(program, instrument, label="Pilot")
    for person in people[:3]:
        WaveInvitation.objects.create(wave=small, user=person)
    almost = open_wave(program, instrument, label="Nearly all")
    for person in people[:6]:
        WaveInvitation.objects.create(wave=almost, user=person)
    answer_all(almost, people[:5], instrument)
    response = client_for(dana).get(waves_url(program))
    rows = {w.label: w for w in response.context["waves"]}
    assert (rows["Baseline"].invited_shown, rows["Baseline"].responded_shown) == (10, 5)
    assert rows["Baseline"].rate == 0.5
    assert rows["Pilot"].invited_shown is None  # 3 invited
    assert rows["Pilot"].rate is None
    # 6 invited, 5 answered: showing 5 would tell that one person has not.
    assert rows["Nearly all"].invited_shown == 6
    assert rows["Nearly all"].responded_shown is None
    assert rows["Nearly all"].rate is None
    page = response.content.decode()
    assert "50%" in page
    # Hidden figures read alike whatever hid them, so none gives away that it is small.
    assert page.count(">suppressed<") == 5  # Pilot: all three; Nearly all: answered, rate
    assert ">fewer than 5<" not in page
    for person in people:
        assert person.display_name not in page


def test_facilitators_and_researchers_see_waves_but_cannot_act(
    client_for, program, instrument, rhea, facilitator
):
    wave = open_wave(program, instrument, today=timezone.localdate() + dt.timedelta(days=9))
    for person in (rhea, facilitator):
        client = client_for(person)
        page = client.get(waves_url(program)).content.decode()
        assert wave.label in page
        assert "Schedule the standard waves" not in page
        assert "Send reminders now" not in page
        assert (
            client.post(reverse("outcomes:wave_delete", args=[program.pk, wave.pk])).status_code
            == 403
        )
    assert Wave.objects.filter(pk=wave.pk).exists()


def test_scheduling_the_standard_waves_from_the_page(client_for, dana, program):
    core = Instrument.objects.get(key="core-outcomes")
    client = client_for(dana)
    page = client.get(waves_url(program)).content.decode()
    assert "Schedule the standard waves" in page
    response = client.post(
        reverse("outcomes:waves_standard", args=[program.pk]),
        {"instrument": core.pk, "days_open": 21},
        follow=True,
    )
    assert (
        "Scheduled: Baseline, 6 months, 12 months, 2 years, 3 years." in response.content.decode()
    )
    assert program.survey_waves.filter(instrument=core).count() == 5


def test_an_instrument_of_another_organization_cannot_be_scheduled(client_for, dana, program):
    other = Organization.objects.create(name="Elsewhere", slug="elsewhere", kind="institution")
    theirs = Instrument.objects.create(organization=other, name="Theirs")
    Question.objects.create(instrument=theirs, key="x", kind="likert", prompt="X?")
    client_for(dana).post(
        reverse("outcomes:waves_standard", args=[program.pk]),
        {"instrument": theirs.pk, "days_open": 21},
    )
    assert not program.survey_waves.exists()


def test_adding_a_wave_and_bad_dates(client_for, dana, program, instrument):
    client = client_for(dana)
    url = reverse("outcomes:wave_create", args=[program.pk])
    data = {
        "instrument": instrument.pk,
        "label": "Midpoint",
        "months_after_start": 3,
        "opens_on": "2027-04-15",
        "closes_on": "2027-04-10",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["closes_on"] == [
        "A wave must close on or after the day it opens."
    ]
    assert 'value="Midpoint"' in response.content.decode()  # typed values kept
    assert not program.survey_waves.exists()
    response = client.post(url, {**data, "closes_on": "2027-05-06"})
    assert response.status_code == 302
    wave = program.survey_waves.get()
    assert (wave.label, wave.months_after_start, wave.created_by) == ("Midpoint", 3, dana)


def test_an_unopened_wave_can_be_edited_and_deleted_an_opened_one_cannot(
    client_for, dana, program, instrument
):
    client = client_for(dana)
    later = timezone.localdate() + dt.timedelta(days=30)
    wave = open_wave(program, instrument, today=later, label="Later")
    edit = reverse("outcomes:wave_edit", args=[program.pk, wave.pk])
    response = client.post(
        edit,
        {
            "instrument": instrument.pk,
            "label": "Later still",
            "months_after_start": 2,
            "opens_on": later.isoformat(),
            "closes_on": (later + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    wave.refresh_from_db()
    assert wave.label == "Later still"
    opened = open_wave(program, instrument, label="Now")
    response = client.get(reverse("outcomes:wave_edit", args=[program.pk, opened.pk]), follow=True)
    assert "has opened, so it can no longer be changed" in response.content.decode()
    client.post(reverse("outcomes:wave_delete", args=[program.pk, opened.pk]))
    assert Wave.objects.filter(pk=opened.pk).exists()
    client.post(reverse("outcomes:wave_delete", args=[program.pk, wave.pk]))
    assert not Wave.objects.filter(pk=wave.pk).exists()


def test_a_wave_of_another_program_is_404(client_for, dana, program, instrument, lakeshore):
    from peerhaven.programs.actions import do_create_program

    other = do_create_program(
        acting_user=dana, organization=lakeshore, name="Other", starts_on=dt.date(2027, 1, 1)
    )
    theirs = open_wave(other, instrument, today=timezone.localdate() + dt.timedelta(days=9))
    client = client_for(dana)
    for name in ("wave_edit", "wave_delete", "wave_remind"):
        url = reverse(f"outcomes:{name}", args=[program.pk, theirs.pk])
        assert client.post(url).status_code == 404
    assert Wave.objects.filter(pk=theirs.pk).exists()


def test_send_reminders_now(
    client_for, dana, program, instrument, mailoutbox, django_capture_on_commit_callbacks
):
    people = cohort(program, 6)
    wave = open_wave(program, instrument)
    actions.do_open_due_waves()
    wave.invitations.update(invited_at=timezone.now() - dt.timedelta(days=5))
    url = reverse("outcomes:wave_remind", args=[program.pk, wave.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(dana).post(url, follow=True)
    assert "Reminders sent for “Baseline” to 6 people." in response.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    response = client_for(dana).post(url, follow=True)
    assert "Nobody to remind" in response.content.decode()


def test_staff_waves_page_query_count(
    client_for, dana, program, instrument, django_assert_num_queries
):
    people = cohort(program, 6)
    for months in range(6):
        wave = open_wave(program, instrument, label=f"W{months}", months=months)
        for person in people:
            WaveInvitation.objects.create(wave=wave, user=person)
    client = client_for(dana)
    # program, roles (access), roles (may manage?), waves with their counts, the default
    # instrument, the instrument choices (twice: Select asks whether the first is empty); the
    # other six are every signed-in page's (session, user, profile, session save).
    with django_assert_num_queries(13):
        response = client.get(waves_url(program))
    assert len(response.context["waves"]) == 6


# Instruments


def test_instruments_list_builtins_and_the_organizations_own_only(
    client_for, dana, program, instrument
):
    other = Organization.objects.create(name="Elsewhere", slug="elsewhere", kind="institution")
    theirs = Instrument.objects.create(organization=other, name="Their secret scale")
    page = client_for(dana).get(reverse("outcomes:instruments", args=[program.pk])).content.decode()
    assert "Peer mentoring outcomes (core)" in page
    assert "Lakeshore check-in" in page
    assert "Their secret scale" not in page
    assert client_for(dana).get(instrument_url(program, theirs)).status_code == 404


def test_builtins_are_read_only_but_can_be_copied(client_for, dana, program):
    core = Instrument.objects.get(key="core-outcomes")
    client = client_for(dana)
    page = client.get(instrument_url(program, core)).content.decode()
    assert "Built-in instruments are read-only" in page
    assert "Add a question" not in page
    assert "Novice" in page
    add = reverse("outcomes:survey_question_add", args=[program.pk, core.pk])
    response = client.post(
        add, {"kind": "likert", "prompt": "Sneaky?", "required": "on"}, follow=True
    )
    assert "Built-in instruments cannot be changed" in response.content.decode()
    first = core.questions.first()
    client.post(reverse("outcomes:survey_question_delete", args=[program.pk, core.pk, first.pk]))
    assert core.questions.count() == 11
    response = client.post(reverse("outcomes:instrument_copy", args=[program.pk, core.pk]))
    copy = Instrument.objects.get(name="Copy of Peer mentoring outcomes (core)")
    assert copy.organization_id == program.organization_id
    assert copy.key == ""
    assert [q.key for q in copy.questions.all()] == [q.key for q in core.questions.all()]
    assert response.url == instrument_url(program, copy)


def build(client, program, **fields):
    data = {"kind": "likert", "required": "on", **fields}
    instrument = Instrument.objects.get(name="Onboarding check")
    url = reverse("outcomes:survey_question_add", args=[program.pk, instrument.pk])
    return client.post(url, data)


def test_building_an_instrument_with_every_kind_of_question(client_for, dana, program):
    client = client_for(dana)
    response = client.post(
        reverse("outcomes:instrument_create", args=[program.pk]),
        {"name": "Onboarding check", "description": "Six months in."},
    )
    instrument = Instrument.objects.get(name="Onboarding check")
    assert response.url == instrument_url(program, instrument)
    assert instrument.organization_id == program.organization_id
    build(client, program, prompt="How supported do you feel?", low_label="Not", high_label="Very")
    build(client, program, kind="single", prompt="Your track?", choices="Clinical\n\nResearch\n")
    build(client, program, kind="multiple", prompt="What helped?", choices="Circle\nPair")
    build(client, program, kind="number", prompt="Papers?", min_value="0", max_value="40")
    build(client, program, kind="text", prompt="Anything else?", required="")
    build(client, program, prompt="How supported do you feel?")  # same prompt: a new key
    questions = list(instrument.questions.all())
    assert [q.key for q in questions] == [
        "how_supported_do_you_feel",
        "your_track",
        "what_helped",
        "papers",
        "anything_else",
        "how_supported_do_you_feel_2",
    ]
    assert questions[1].choices == "Clinical\nResearch"
    assert (questions[3].min_value, questions[3].max_value) == (0, 40)
    assert not questions[4].required
    assert questions[3].low_label == ""  # labels only for scales


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "single", "prompt": "Pick", "choices": "Only one"}, "choices", "at least two"),
        ({"kind": "multiple", "prompt": "Pick", "choices": "A\nA"}, "choices", "different"),
        (
            {"kind": "number", "prompt": "N", "min_value": "10", "max_value": "2"},
            "max_value",
            "must not be below",
        ),
        ({"kind": "likert", "prompt": ""}, "prompt", "required"),
        ({"kind": "dance", "prompt": "P"}, "kind", "valid choice"),
    ],
)
def test_bad_questions_are_refused_with_the_reason(
    client_for, dana, program, fields, field, message
):
    client = client_for(dana)
    client.post(
        reverse("outcomes:instrument_create", args=[program.pk]), {"name": "Onboarding check"}
    )
    response = build(client, program, **fields)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Question.objects.filter(instrument__name="Onboarding check").exists()


def test_reordering_and_removing_questions(client_for, dana, program, instrument):
    client = client_for(dana)
    role = instrument.questions.get(key="role")
    move = reverse("outcomes:survey_question_move", args=[program.pk, instrument.pk, role.pk])
    client.post(move, {"direction": "up"})
    assert [q.key for q in instrument.questions.all()][:2] == ["role", "pulse"]
    client.post(move, {"direction": "down"})
    client.post(move, {"direction": "down"})
    assert [q.key for q in instrument.questions.all()][:3] == ["pulse", "helped", "role"]
    delete = reverse("outcomes:survey_question_delete", args=[program.pk, instrument.pk, role.pk])
    client.post(delete)
    assert [q.position for q in instrument.questions.all()] == [1, 2, 3, 4]


def test_an_answered_instrument_is_locked_and_says_so(client_for, dana, program, instrument, bob):
    accept(program, bob)
    wave = open_wave(program, instrument)
    actions.do_open_due_waves()
    answer_all(wave, [bob], instrument)
    client = client_for(dana)
    page = client.get(instrument_url(program, instrument)).content.decode()
    assert "People have already answered this instrument" in page
    assert "Add a question" not in page
    pulse = instrument.questions.get(key="pulse")
    response = client.post(
        reverse("outcomes:survey_question_delete", args=[program.pk, instrument.pk, pulse.pk]),
        follow=True,
    )
    assert "cannot change" in response.content.decode()
    response = client.post(
        reverse("outcomes:survey_question_add", args=[program.pk, instrument.pk]),
        {"kind": "likert", "prompt": "New?", "required": "on"},
        follow=True,
    )
    assert "cannot change" in response.content.decode()
    assert instrument.questions.count() == 5
    client.post(reverse("outcomes:instrument_copy", args=[program.pk, instrument.pk]))
    copy = Instrument.objects.get(name="Copy of Lakeshore check-in")
    response = client.post(
        reverse("outcomes:survey_question_add", args=[program.pk, copy.pk]),
        {"kind": "likert", "prompt": "New?", "required": "on"},
    )
    assert response.status_code == 302
    assert copy.questions.count() == 6


def test_a_question_of_another_instrument_is_404(client_for, dana, program, instrument):
    core = Instrument.objects.get(key="core-outcomes")
    theirs = core.questions.first()
    url = reverse("outcomes:survey_question_delete", args=[program.pk, instrument.pk, theirs.pk])
    assert client_for(dana).post(url).status_code == 404


# The promise


def test_no_staff_page_shows_an_answer(
    client_for, dana, rhea, facilitator, sam, program, instrument, bob
):
    people = cohort(program, 6)
    wave = open_wave(program, instrument)
    actions.do_open_due_waves()
    answer_all(wave, people, instrument)
    urls = [
        waves_url(program),
        reverse("outcomes:instruments", args=[program.pk]),
        instrument_url(program, instrument),
        reverse("outcomes:wave_create", args=[program.pk]),
        reverse("programs:detail", args=[program.pk]),
    ]
    for person in (dana, rhea, facilitator, sam):
        client = client_for(person)
        for url in urls:
            page = client.get(url).content.decode()
            assert CANARY not in page, (person, url)
            assert "Hospitalist" not in page or url == instrument_url(program, instrument)
            for member in people:
                assert member.display_name not in page
        # Staff cannot open a member's form, where answers could be shown back.
        assert client.get(reverse("outcomes:survey_answer", args=[wave.pk])).status_code == 404

"""The research export: who may make one, what the ZIP holds and what it must never hold,
the REDCap data dictionary's rules, and that it stays fast and query-bounded."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peerhaven.accounts.models import SelfDescription, SensitiveConsent
from peerhaven.outcomes import redcap, research_export
from peerhaven.outcomes.models import (
    Achievement,
    Answer,
    Instrument,
    Question,
    ResearchExport,
    Response,
    Wave,
)
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.outcomes.research_export import Contents
from peerhaven.programs.models import Enrollment
from tests.conftest import PASSWORD, make_member
from tests.outcomes.helpers import make_wave, respond

pytestmark = pytest.mark.django_db

CANARY_NAME = "Quentin Canaryfield"
CANARY_EMAIL = "quentin.canary@example.org"
CANARY_DEPARTMENT = "Cryptozoology Canary Unit"
CANARY_TEXT = "canary free text about my chair"
CANARY_SPECIALTY = "Canary specialty medicine"
SUBMITTED = dt.date(2027, 1, 20)


def url(program) -> str:
    return reverse("outcomes:research_export", kwargs={"program_id": program.pk})


def enrol(program, user, state="accepted") -> Enrollment:
    return Enrollment.objects.create(
        program=program,
        user=user,
        email=user.email,
        name=user.display_name,
        state=state,
        applied_at=dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC),
    )


def describe(user, *, research: dict[str, str] = (), private: dict[str, str] = ()) -> None:
    """Consented self-description: ``research`` answers allow research use, ``private``
    ones do not."""
    SensitiveConsent.objects.get_or_create(user=user)
    for allowed, answers in ((True, dict(research)), (False, dict(private))):
        for attribute, value in answers.items():
            SelfDescription.objects.create(
                user=user, attribute=attribute, value=value, research_allowed=allowed
            )


@pytest.fixture
def program(sample_program):
    return sample_program["program"]  # starts 2027-01-15


@pytest.fixture
def instrument(lakeshore):
    instrument = Instrument.objects.create(organization=lakeshore, name="Lakeshore check-in")
    kinds = [
        ("mastery_manuscript", Question.Kind.LIKERT, ""),
        ("burnout", Question.Kind.SINGLE, "No burnout\nSome stress\nBurned out"),
        ("supports", Question.Kind.MULTIPLE, "Chair\nMentor\nPeers"),
        ("hours", Question.Kind.NUMBER, ""),
        ("comments", Question.Kind.TEXT, ""),
    ]
    for position, (key, kind, choices) in enumerate(kinds):
        Question.objects.create(
            instrument=instrument,
            key=key,
            kind=kind,
            prompt=f"Prompt for {key}",
            choices=choices,
            position=position,
            low_label="Novice" if kind == Question.Kind.LIKERT else "",
            high_label="Expert" if kind == Question.Kind.LIKERT else "",
            min_value=0 if kind == Question.Kind.NUMBER else None,
            max_value=80 if kind == Question.Kind.NUMBER else None,
        )
    return instrument


def wave_at(program, instrument, months, label) -> Wave:
    opens_on = program.starts_on + dt.timedelta(days=30 * months)
    return make_wave(program, instrument, label=label, months=months, opens_on=opens_on)


def achieve(user, kind, year, sharing=Achievement.Sharing.AGGREGATE, title="A paper"):
    return Achievement.objects.create(
        user=user,
        kind=kind,
        date=dt.date(year, 6, 1),
        title=f"{title} {year} {Achievement.objects.count()}",
        title_key=f"{title} {year} {Achievement.objects.count()}".lower(),
        sharing=sharing,
    )


def unzip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def cohort(program, instrument):
    """Five consenting women who allow research use of their gender; a canary member whose
    identifying details, free text and a non-research answer must never leave; a member who
    only applied."""
    women = []
    for n in range(5):
        woman = make_member(f"w{n}@example.org", f"Woman {n}")
        describe(woman, research={"gender": "woman"}, private={"caregiver": "children"})
        enrol(program, woman)
        women.append(woman)
    canary = make_member(
        CANARY_EMAIL,
        CANARY_NAME,
        department=CANARY_DEPARTMENT,
        specialty="other",
        specialty_other=CANARY_SPECIALTY,
        institution="Canary Institute",
    )
    describe(canary, research={"caregiver": "parents"}, private={"gender": "non_binary"})
    enrol(program, canary)
    baseline = wave_at(program, instrument, 0, "Baseline")
    later = wave_at(program, instrument, 6, "Six months")
    respond(
        baseline,
        canary,
        {
            "mastery_manuscript": 2,
            "burnout": "Some stress",
            "supports": ["Chair", "Peers"],
            "hours": 12.5,
            "comments": CANARY_TEXT,
        },
        submitted_on=SUBMITTED,
    )
    respond(
        later,
        canary,
        {"mastery_manuscript": 4, "comments": CANARY_TEXT},
        submitted_on=dt.date(2027, 7, 3),
    )
    respond(baseline, women[0], {"mastery_manuscript": 3, "hours": 40}, submitted_on=SUBMITTED)
    achieve(canary, Achievement.Kind.PUBLICATION, 2026)
    achieve(canary, Achievement.Kind.PUBLICATION, 2026)
    achieve(canary, Achievement.Kind.PUBLICATION, 2027)
    achieve(canary, Achievement.Kind.GRANT_AWARDED, 2024)
    achieve(canary, Achievement.Kind.PUBLICATION, 2027, sharing="private", title="Secret")
    return {"women": women, "canary": canary, "waves": [baseline, later]}


def export_as(client, program, **fields):
    data = {"participants": "on", "achievements": "on", "password": PASSWORD}
    data["waves"] = [w.pk for w in Wave.objects.filter(program=program)]
    data.update(fields)
    return client.post(url(program), data)


# --- Who may export -------------------------------------------------------------------


def test_page_is_for_the_programs_researchers_only(client_for, program, rhea, dana, carol, bob):
    assert client_for(rhea).get(url(program)).status_code == 200
    assert client_for(dana).get(url(program)).status_code == 403
    assert client_for(carol).get(url(program)).status_code == 404
    assert client_for(bob).get(url(program)).status_code == 404  # enrolled, not staff
    assert export_as(client_for(dana), program).status_code == 403
    assert export_as(client_for(carol), program).status_code == 404
    assert not ResearchExport.objects.exists()


def test_page_explains_the_dataset_and_offers_each_wave(client_for, program, rhea, cohort):
    body = client_for(rhea).get(url(program)).content.decode()
    assert "What is left out" in body
    assert "Baseline · Lakeshore check-in" in body
    assert 'autocomplete="current-password"' in body
    assert "Export the dataset</button>" in body


def test_a_get_never_exports_even_with_a_password(client_for, program, rhea, cohort):
    response = client_for(rhea).get(url(program), {"password": PASSWORD, "participants": "on"})
    assert response["Content-Type"].startswith("text/html")
    assert not ResearchExport.objects.exists()


def test_wrong_password_exports_nothing_and_logs_nothing(client_for, program, rhea, cohort):
    response = export_as(client_for(rhea), program, password="not my password")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "That password is not right. Nothing was exported." in response.content.decode()
    assert not ResearchExport.objects.exists()


def test_five_wrong_passwords_pause_exports(client_for, program, rhea, cohort):
    client = client_for(rhea)
    for _ in range(5):
        assert export_as(client, program, password="guess").status_code == 200
    response = export_as(client, program)  # the right password, too late
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert not ResearchExport.objects.exists()


def test_the_pause_is_per_person(client_for, program, rhea, lakeshore, cohort):
    from peerhaven.orgs.models import StaffRole

    other = make_member("ray@example.org", "Ray Researcher")
    StaffRole.objects.create(organization=lakeshore, user=other, role=StaffRole.Role.RESEARCHER)
    for _ in range(5):
        export_as(client_for(rhea), program, password="guess")
    assert export_as(client_for(other), program)["Content-Type"] == "application/zip"


def test_choosing_nothing_is_refused(client_for, program, rhea, cohort):
    response = export_as(client_for(rhea), program, participants="", achievements="", waves=[])
    assert "Choose at least one part of the dataset." in response.content.decode()
    assert not ResearchExport.objects.exists()


def test_a_wave_of_another_program_cannot_be_chosen(client_for, program, rhea, cohort, dana):
    from peerhaven.programs.actions import do_create_program

    other = do_create_program(
        acting_user=dana,
        organization=program.organization,
        name="Other",
        starts_on=dt.date(2027, 1, 1),
    )
    foreign = wave_at(other, cohort["waves"][0].instrument, 0, "Foreign")
    response = export_as(client_for(rhea), program, waves=[foreign.pk])
    assert response["Content-Type"].startswith("text/html")
    assert not ResearchExport.objects.exists()


# --- What the ZIP holds ---------------------------------------------------------------


def test_the_zip_holds_no_identifying_detail_and_only_consented_categories(
    client_for, program, rhea, cohort
):
    response = export_as(client_for(rhea), program)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="peerhaven_new-faculty-peer-mentoring_'
    )
    files = unzip(response.content)
    stem = "peerhaven_new-faculty-peer-mentoring"
    assert set(files) == {f"{stem}_data.csv", f"{stem}_data_dictionary.csv", "README.txt"}
    everything = "\n".join(files.values()).lower()
    canary = cohort["canary"]
    for secret in (
        CANARY_NAME,
        "Canaryfield",
        CANARY_EMAIL,
        CANARY_DEPARTMENT,
        CANARY_TEXT,
        CANARY_SPECIALTY,
        "Canary Institute",
        "Secret",
        "example.org",
        "non_binary",
        "2026-11-20",  # a day, where only months may appear
    ):
        assert secret.lower() not in everything, secret

    rows = {row["record_id"]: row for row in read_csv(files[f"{stem}_data.csv"])}
    assert len(rows) == 6  # the accepted members, not Bob who only applied
    canary_row = rows[pseudonym(program.pk, canary.pk)]
    assert canary_row["gender"] == ""  # stated, but not for research
    # Caregiving allowed for research, but only the canary has it: a category of one is
    # withheld.
    assert canary_row["caregiver"] == ""
    assert canary_row["enrolled_month"] == "2026-11"
    for woman in cohort["women"]:
        row = rows[pseudonym(program.pk, woman.pk)]
        assert row["gender"] == "1"  # woman, the five of them consented
        assert row["caregiver"] == ""  # stated, never allowed for research
    assert "Canary" not in files["README.txt"]


def test_the_log_row_records_the_file(client_for, program, rhea, cohort):
    response = export_as(client_for(rhea), program, waves=[cohort["waves"][1].pk])
    log = ResearchExport.objects.get()
    assert log.program == program
    assert log.exported_by == rhea
    assert log.rows == 6
    assert log.sha256 == hashlib.sha256(response.content).hexdigest()
    assert log.contents == "participants; survey waves: Six months; achievement counts"
    page = client_for(rhea).get(url(program)).content.decode()
    assert "Rhea Rao" in page
    assert log.sha256[:16] in page


def test_answers_are_coded_wide_per_wave(program, instrument, cohort):
    waves = tuple(research_export.waves_for_export(program))
    dataset = research_export.build_dataset(
        program, Contents(True, waves, True), today=dt.date(2028, 3, 1)
    )
    rows = {row["record_id"]: row for row in dataset.rows}
    canary = rows[pseudonym(program.pk, cohort["canary"].pk)]
    form = "lakeshore_check_in_w0"
    assert canary["mastery_manuscript_w0"] == "2"
    assert canary["mastery_manuscript_w6"] == "4"
    assert canary["burnout_w0"] == "2"  # "Some stress", the second option
    assert (canary["supports_w0___1"], canary["supports_w0___2"], canary["supports_w0___3"]) == (
        "1",
        "0",
        "1",
    )
    assert canary["hours_w0"] == "12.5"
    assert canary["responded_w0"] == "2027-01"
    assert canary["responded_w6"] == "2027-07"
    assert canary[f"{form}_complete"] == "2"
    assert canary["lakeshore_check_in_w6_complete"] == "2"
    assert not any(name.startswith("comments") for name in dataset.header())
    # Publications: two the year before the start, one in it; the private one not counted.
    assert canary["ach_pub_ym1"] == "2"
    assert canary["ach_pub_y0"] == "1"
    assert canary["ach_grant_won_ym3"] == "1"
    assert canary["ach_pub_y1"] == "0"
    woman = rows[pseudonym(program.pk, cohort["women"][0].pk)]
    assert woman["hours_w0"] == "40"
    assert woman["lakeshore_check_in_w6_complete"] == "0"
    assert woman.get("mastery_manuscript_w6", "") == ""  # written as an empty cell


def test_malformed_stored_answers_are_blank_not_guessed(program, instrument, cohort):
    wave = cohort["waves"][1]
    stranger = make_member("odd@example.org", "Odd")
    enrol(program, stranger)
    respond(
        wave,
        stranger,
        {"mastery_manuscript": 9, "burnout": "Not an option", "supports": "Chair", "hours": True},
        submitted_on=SUBMITTED,
    )
    dataset = research_export.build_dataset(program, Contents(False, (wave,), False))
    [row] = [r for r in dataset.rows if r["record_id"] == pseudonym(program.pk, stranger.pk)]
    assert row["mastery_manuscript_w6"] == ""
    assert row["burnout_w6"] == ""
    assert row["supports_w6___1"] == "0"
    assert row["hours_w6"] == ""


def test_only_the_chosen_parts_are_exported(program, cohort):
    dataset = research_export.build_dataset(program, Contents(False, (), True))
    header = dataset.header()
    assert header[0] == "record_id"
    assert "gender" not in header
    assert "career_stage" not in header
    assert all(name == "record_id" or name.startswith("ach_") for name in header)


def test_responses_of_people_no_longer_accepted_are_left_out(program, cohort):
    canary = cohort["canary"]
    Enrollment.objects.filter(user=canary).update(state=Enrollment.State.WITHDRAWN)
    waves = tuple(research_export.waves_for_export(program))
    dataset = research_export.build_dataset(program, Contents(True, waves, True))
    assert pseudonym(program.pk, canary.pk) not in {row["record_id"] for row in dataset.rows}
    assert len(dataset.rows) == 5


def test_rare_categories_are_withheld():
    rows = [{"specialty": "3"} for _ in range(5)] + [{"specialty": "7"}, {"specialty": ""}]
    research_export.withhold_rare_categories(rows, ["specialty"])
    assert [row["specialty"] for row in rows] == ["3"] * 5 + ["", ""]


def test_years_in_rank_are_banded(program):
    member = make_member("rank@example.org", "Rank", rank_since_year=2020)
    enrol(program, member)
    rows = research_export._participant_rows(program)
    assert rows[member.pk]["years_in_rank"] == "3"  # 2027 - 2020 = 7: "5–9 years"


# --- The REDCap data dictionary -------------------------------------------------------

REDCAP_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_TYPES = {"text", "radio", "checkbox", "yesno", "dropdown", "notes", "calc"}


def dictionary_and_header(client, program) -> tuple[list[dict[str, str]], list[str]]:
    files = unzip(export_as(client, program).content)
    stem = "peerhaven_new-faculty-peer-mentoring"
    dictionary = read_csv(files[f"{stem}_data_dictionary.csv"])
    header = next(csv.reader(io.StringIO(files[f"{stem}_data.csv"])))
    return dictionary, header


def test_data_header_is_exactly_what_the_dictionary_defines(client_for, program, rhea, cohort):
    dictionary, header = dictionary_and_header(client_for(rhea), program)
    expected = []
    for index, row in enumerate(dictionary):
        name, form = row["Variable / Field Name"], row["Form Name"]
        if row["Field Type"] == "checkbox":
            codes = [
                c.split(",", 1)[0].strip()
                for c in row["Choices, Calculations, OR Slider Labels"].split("|")
            ]
            expected += [f"{name}___{code}" for code in codes]
        else:
            expected.append(name)
        last_of_form = index + 1 == len(dictionary) or dictionary[index + 1]["Form Name"] != form
        # REDCap's own form-status field of each survey form, as its exports lay it out.
        if last_of_form and re.search(r"_w\d+[a-z]?$", form):
            expected.append(f"{form}_complete")
    assert header == expected
    assert len(header) == len(set(header))


def test_dictionary_follows_redcap_rules(client_for, program, rhea, cohort):
    files = unzip(export_as(client_for(rhea), program).content)
    text = files["peerhaven_new-faculty-peer-mentoring_data_dictionary.csv"]
    first_line = next(csv.reader(io.StringIO(text)))
    assert first_line == redcap.DICTIONARY_HEADER
    assert len(first_line) == 18
    dictionary = read_csv(text)
    assert dictionary[0]["Variable / Field Name"] == "record_id"
    assert dictionary[0]["Field Type"] == "text"
    names = [row["Variable / Field Name"] for row in dictionary]
    assert len(names) == len(set(names))
    forms = []
    for row in dictionary:
        name, form = row["Variable / Field Name"], row["Form Name"]
        assert REDCAP_NAME.match(name), name
        assert len(name) <= 26, name
        assert REDCAP_NAME.match(form), form
        assert not name.endswith("_complete"), name
        assert row["Field Type"] in FIELD_TYPES
        assert row["Field Label"]
        choices = row["Choices, Calculations, OR Slider Labels"]
        if row["Field Type"] in ("radio", "checkbox"):
            for choice in choices.split(" | "):
                code, label = choice.split(", ", 1)
                assert code.isdigit()
                assert label
        else:
            assert choices == ""
        if row["Field Type"] == "text" and row["Text Validation Type OR Show Slider Number"]:
            assert row["Text Validation Type OR Show Slider Number"] in ("number", "integer")
        if form not in forms:
            forms.append(form)
        else:
            assert forms[-1] == form, "a form's fields must be contiguous"
    assert forms == [
        "participant",
        "lakeshore_check_in_w0",
        "lakeshore_check_in_w6",
        "achievements",
    ]
    by_name = {row["Variable / Field Name"]: row for row in dictionary}
    assert by_name["burnout_w0"]["Choices, Calculations, OR Slider Labels"] == (
        "1, No burnout | 2, Some stress | 3, Burned out"
    )
    assert by_name["supports_w0"]["Field Type"] == "checkbox"
    assert by_name["mastery_manuscript_w0"]["Choices, Calculations, OR Slider Labels"] == (
        "1, 1 Novice | 2, 2 | 3, 3 | 4, 4 | 5, 5 Expert"
    )
    assert by_name["hours_w0"]["Text Validation Type OR Show Slider Number"] == "number"
    assert by_name["hours_w0"]["Text Validation Max"] == "80"
    assert by_name["responded_w0"]["Field Note"].startswith("YYYY-MM")
    assert by_name["gender"]["Choices, Calculations, OR Slider Labels"] == (
        "1, Woman | 2, Man | 3, Another gender identity, including non-binary"
    )
    assert "comments_w0" not in by_name


def test_names_stay_short_and_distinct_for_long_or_clashing_keys(program, lakeshore):
    instrument = Instrument.objects.create(
        organization=lakeshore, name="A very long instrument name about everything"
    )
    for position, key in enumerate(
        [
            "a-very-long-question-key-about-grants-one",
            "a-very-long-question-key-about-grants-two",
            "2nd-question",
            "Record_ID",
        ]
    ):
        Question.objects.create(
            instrument=instrument, key=key, kind="likert", prompt=key, position=position
        )
    wave_at(program, instrument, 12, "Year one")
    wave_at(program, instrument, 12, "Year one, again")
    waves = tuple(research_export.waves_for_export(program))
    dataset = research_export.build_dataset(program, Contents(True, waves, True))
    names = [f.name for f in dataset.fields]
    assert len(names) == len(set(names))
    assert all(REDCAP_NAME.match(n) and len(n) <= 26 for n in names), names
    assert "v_2nd_question_w12" in names
    assert "v_2nd_question_w12b" in names
    assert "record_id_w12" in names
    forms = {f.form for f in dataset.fields}
    stem = "a_very_long_instrument_name_about_ev"
    assert forms == {"participant", f"{stem}_w12", f"{stem[:-1]}_w12b", "achievements"}
    assert all(len(form) <= 40 for form in forms)


def test_prompts_cannot_become_spreadsheet_formulas(program, lakeshore):
    instrument = Instrument.objects.create(organization=lakeshore, name="Tricky")
    Question.objects.create(
        instrument=instrument,
        key="q",
        kind="single",
        prompt='=HYPERLINK("http://evil.example")',
        choices="+1 yes\nno | maybe",
    )
    wave_at(program, instrument, 0, "Base")
    waves = tuple(research_export.waves_for_export(program))
    dataset = research_export.build_dataset(program, Contents(False, waves, False))
    rows = {r[0]: r for r in research_export.dictionary_rows(dataset)}
    assert rows["q_w0"][4].startswith("'=")
    assert rows["q_w0"][5] == "1, '+1 yes | 2, no / maybe"


# --- Speed and queries ----------------------------------------------------------------


def build_cohort_in_bulk(program, instrument, size: int, waves: int, prefix="bulk") -> None:
    """``size`` accepted members answering ``waves`` waves, with achievements, inserted in
    bulk (the export is what is measured, not the set-up)."""
    from peerhaven.accounts.models import Profile, User

    users = User.objects.bulk_create(
        [User(email=f"{prefix}{n}@example.org", password="!") for n in range(size)]
    )
    Profile.objects.bulk_create(
        [
            Profile(user=u, display_name=f"Bulk {n}", career_stage="assistant_professor")
            for n, u in enumerate(users)
        ]
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(program=program, user=u, email=u.email, name="x", state="accepted")
            for u in users
        ]
    )
    Achievement.objects.bulk_create(
        [
            Achievement(
                user=u, kind="publication", date=dt.date(2026, 5, 1), title="t", title_key="t"
            )
            for u in users
        ]
    )
    questions = list(instrument.questions.exclude(kind="text"))
    values = {"likert": 3, "single": "Some stress", "multiple": ["Mentor"], "number": 7}
    for months in range(0, 6 * waves, 6):
        wave = wave_at(program, instrument, months, f"{prefix} wave {months}")
        responses = Response.objects.bulk_create(
            [
                Response(
                    wave=wave, pseudonym=pseudonym(program.pk, u.pk), submitted_on=wave.opens_on
                )
                for u in users
            ]
        )
        Answer.objects.bulk_create(
            [
                Answer(response=r, question=q, value=values[q.kind])
                for r in responses
                for q in questions
            ]
        )


def queries_for_export(program) -> int:
    waves = tuple(research_export.waves_for_export(program))
    with CaptureQueriesContext(connection) as captured:
        research_export.build_dataset(program, Contents(True, waves, True))
    return len(captured)


def test_queries_do_not_grow_with_participants_or_waves(program, instrument):
    build_cohort_in_bulk(program, instrument, 3, 1)
    few = queries_for_export(program)
    build_cohort_in_bulk(program, instrument, 40, 3, prefix="more")
    assert queries_for_export(program) == few
    assert few <= 6


def test_a_thousand_participants_and_five_waves_export_whole(client_for, program, rhea, instrument):
    # How fast is measured by bench/outcomes (timed assertions do not belong in tests).
    build_cohort_in_bulk(program, instrument, 1000, 5)
    response = export_as(client_for(rhea), program)
    assert response["Content-Type"] == "application/zip"
    data = unzip(response.content)["peerhaven_new-faculty-peer-mentoring_data.csv"]
    rows = read_csv(data)
    assert len(rows) == 1000
    assert rows[0]["supports_w24___2"] == "1"


def test_the_page_reads_a_fixed_number_of_queries(
    client_for, program, rhea, cohort, django_assert_num_queries
):
    client = client_for(rhea)
    client.get(url(program))
    for _ in range(12):
        ResearchExport.objects.create(
            program=program, exported_by=rhea, contents="participants", sha256="a" * 64
        )
    # Session (read, and saved in a savepoint), user, profile, program, roles, the failure
    # count, the waves (for the ticked defaults, then the boxes) and the log.
    with django_assert_num_queries(12):
        client.get(url(program))


def test_builtin_core_outcomes_fit_redcap(program):
    core = Instrument.objects.get(key="core-outcomes")
    wave_at(program, core, 0, "Baseline")
    wave_at(program, core, 12, "One year")
    waves = tuple(research_export.waves_for_export(program))
    dataset = research_export.build_dataset(program, Contents(True, waves, True))
    names = {f.name: f for f in dataset.fields}
    for key in ("mastery_negotiation", "job_satisfaction", "burnout", "circle_satisfaction"):
        assert f"{key}_w0" in names
        assert f"{key}_w12" in names
    assert {f.form for f in dataset.fields} >= {"core_outcomes_w0", "core_outcomes_w12"}
    assert [code for code, _ in names["burnout_w12"].choices] == [1, 2, 3, 4, 5]
    assert all(len(name) <= 26 for name in names)


def test_a_program_without_participants_exports_an_empty_table(client_for, program, rhea):
    response = export_as(client_for(rhea), program)
    files = unzip(response.content)
    data = files["peerhaven_new-faculty-peer-mentoring_data.csv"]
    assert data.splitlines()[0].startswith("record_id,enrolled_month,")
    assert len(data.splitlines()) == 1
    assert ResearchExport.objects.get().rows == 0

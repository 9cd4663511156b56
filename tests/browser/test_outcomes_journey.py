"""The outcomes journey: a member imports a BibTeX file with one broken entry and answers
the 6-month survey on a phone; the coordinator opens the program report and downloads its
PDF; the researcher exports the de-identified dataset."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.outcomes.models import (
    Achievement,
    Instrument,
    ResearchExport,
    Response,
    WaveInvitation,
)
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.programs.models import Enrollment, Program
from tests.browser.conftest import PHONE, check_page
from tests.browser.test_circle_journey import sign_in
from tests.conftest import PASSWORD, make_member
from tests.outcomes.helpers import make_wave, respond

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIBTEX = Path(__file__).resolve().parents[1] / "outcomes" / "files" / "journey.bib"
PEERS = 7


def build_program():
    """Lakeshore's program, a year in: Maya and seven peers accepted, all of whom answered
    the baseline survey; six peers have answered the 6-month survey, which is open now."""
    lakeshore = Organization.objects.create(name="Lakeshore University", slug="lakeshore")
    dana = make_member("dana@example.org", "Dana Diaz", career_stage="staff_other")
    rhea = make_member("rhea@example.org", "Rhea Rao", career_stage="associate_professor")
    StaffRole.objects.create(organization=lakeshore, user=dana, role="coordinator")
    StaffRole.objects.create(organization=lakeshore, user=rhea, role="researcher")
    maya = make_member("maya@example.org", "Maya Okafor")
    peers = [make_member(f"peer{i}@example.org", f"Peer {i}") for i in range(PEERS)]
    today = timezone.localdate()
    program = Program.objects.create(
        organization=lakeshore,
        name="Faculty Circles",
        starts_on=today - dt.timedelta(days=190),
        created_by=dana,
    )
    for person in [maya, *peers]:
        Enrollment.objects.create(
            program=program,
            user=person,
            email=person.email,
            name=person.display_name,
            state=Enrollment.State.ACCEPTED,
        )
    instrument = Instrument.objects.get(key="core-outcomes")
    baseline = make_wave(
        program,
        instrument,
        label="Baseline",
        opens_on=program.starts_on,
        invitations_sent_at=timezone.now(),
    )
    six_months = make_wave(
        program,
        instrument,
        label="6 months",
        months=6,
        opens_on=today - dt.timedelta(days=3),
        invitations_sent_at=timezone.now(),
    )
    for number, person in enumerate([maya, *peers]):
        answer_all(baseline, person, score=2 + number % 2)
    for number, person in enumerate(peers[:6]):
        answer_all(six_months, person, score=3 + number % 2)
    WaveInvitation.objects.create(wave=six_months, user=maya)
    for person in peers:
        WaveInvitation.objects.create(wave=six_months, user=person, completed=person in peers[:6])
    return program, maya, dana, rhea


def answer_all(wave, person, score: int) -> None:
    values = {
        question.key: question.choice_list[score - 1] if question.kind == "single" else score
        for question in wave.instrument.questions.all()
    }
    respond(wave, person, values, submitted_on=wave.opens_on)


def new_page(browser, live_server, **options):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def test_import_answer_report_and_export(browser, live_server):
    program, maya, dana, rhea = build_program()

    # Maya imports her publications: the broken entry is named, the rest are added.
    member = new_page(browser, live_server, viewport={"width": 1280, "height": 800})
    sign_in(member, maya.email)
    member.get_by_role("navigation", name="Main").get_by_role("link", name="Achievements").click()
    member.get_by_role("link", name="Import from a file").first.click()
    check_page(member, "outcomes-import")
    # A photo saved as .bib by mistake: refused with a reason, nothing added.
    photo = {"name": "publications.bib", "mimeType": "text/plain", "buffer": bytes(range(256)) * 8}
    member.get_by_label("File to import").set_input_files(photo)
    member.get_by_role("button", name="Check the file").click()
    member.get_by_text(re.compile("not a text file")).wait_for()
    assert not Achievement.objects.filter(user=maya).exists()
    member.get_by_label("File to import").set_input_files(str(BIBTEX))
    member.get_by_role("button", name="Check the file").click()
    member.get_by_role("heading", name="Check before adding").wait_for()
    problems = member.get_by_role("heading", name=re.compile("could not be read"))
    assert problems.inner_text().startswith("1 entry")
    assert "(line 17)" in member.content()
    check_page(member, "outcomes-import-preview")
    member.get_by_role("button", name="Add 3 to my log").click()
    member.get_by_text("3 added to your log.").wait_for()
    assert Achievement.objects.filter(user=maya).count() == 3
    check_page(member, "outcomes-achievements")

    # The same file again adds nothing.
    member.get_by_role("link", name="Import from a file").first.click()
    member.get_by_label("File to import").set_input_files(str(BIBTEX))
    member.get_by_role("button", name="Check the file").click()
    member.get_by_role("heading", name="Already in your log: 3").wait_for()
    assert Achievement.objects.filter(user=maya).count() == 3

    # Her mentoring record, as a page and a PDF.
    member.goto("/achievements/")
    member.get_by_role("link", name=re.compile("mentoring record")).click()
    check_page(member, "outcomes-record")
    with member.expect_download() as record_download:
        member.get_by_role("link", name="Download as PDF").click()
    record_text = pdf_text(Path(record_download.value.path()).read_bytes())
    assert "Maya Okafor" in record_text

    # On her phone, she answers the 6-month survey from her home page.
    phone = new_page(browser, live_server, viewport=PHONE, is_mobile=True, has_touch=True)
    sign_in(phone, maya.email)
    phone.get_by_role("heading", name="Surveys waiting for you").wait_for()
    phone.get_by_role("link", name="Answer the survey from Faculty Circles").click()
    phone.get_by_role("heading", name="6 months survey").wait_for()
    phone.get_by_role("button", name="Send my answers").click()  # nothing chosen yet
    assert phone.locator(".field__errors").count() > 0
    assert not Response.objects.filter(
        wave__label="6 months", pseudonym=pseudonym(program.pk, maya.pk)
    ).exists()
    check_page(phone, "outcomes-survey-errors")
    for legend in phone.locator("fieldset.question").all():
        legend.locator("label.choice").nth(3).click()
    phone.get_by_role("button", name="Send my answers").click()
    phone.get_by_text("Thank you: your answers to Faculty Circles are saved.").wait_for()
    check_page(phone, "outcomes-survey-thanks")
    phone.goto("/")
    assert phone.get_by_role("heading", name="Surveys waiting for you").count() == 0

    # The coordinator reads the report and downloads it as a PDF.
    coordinator = new_page(browser, live_server, viewport={"width": 1280, "height": 800})
    sign_in(coordinator, dana.email)
    coordinator.goto(f"/programs/{program.pk}/")
    coordinator.get_by_role("link", name="Report", exact=True).click()
    check_page(coordinator, "outcomes-report")
    report_checks(coordinator, program)

    # The researcher exports the de-identified dataset after giving her password again.
    researcher = new_page(browser, live_server, viewport={"width": 1280, "height": 800})
    sign_in(researcher, rhea.email)
    researcher.goto(f"/programs/{program.pk}/")
    researcher.get_by_role("link", name="Research export").click()
    researcher.get_by_label("Your Peerhaven password").fill("not my password")
    researcher.get_by_role("button", name="Export the dataset").click()
    researcher.get_by_text("That password is not right. Nothing was exported.").wait_for()
    assert not ResearchExport.objects.exists()
    check_page(researcher, "outcomes-export")
    researcher.get_by_label("Your Peerhaven password").fill(PASSWORD)
    with researcher.expect_download() as export_download:
        researcher.get_by_role("button", name="Export the dataset").click()
    archive = zipfile.ZipFile(export_download.value.path())
    data_name = next(n for n in archive.namelist() if n.endswith("_data.csv"))
    rows = list(csv.DictReader(io.StringIO(archive.read(data_name).decode("utf-8-sig"))))
    assert len(rows) == PEERS + 1
    everything = b"".join(archive.read(name) for name in archive.namelist()).decode()
    assert "Maya" not in everything
    assert "maya@example.org" not in everything
    researcher.reload()
    assert "Rhea Rao" in researcher.get_by_role("table").last.inner_text()
    assert ResearchExport.objects.get().exported_by == rhea


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def report_checks(page, program) -> None:
    """The report shows the 6-month survey with Maya's answers counted, and its PDF says
    the same; the PDF holds every section of the page."""
    page.get_by_role("heading", name="Program report").wait_for()
    page.get_by_role("heading", name="Survey results").wait_for()
    # Maya's answers pair with her baseline: seven members answered both waves.
    change = page.get_by_role("table", name=re.compile("pairs"))
    assert "n = 7" in change.first.inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    for heading in ("Program report", "Enrolment and participation", "Survey results"):
        assert heading in text
    assert "Maya" not in text

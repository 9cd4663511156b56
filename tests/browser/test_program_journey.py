"""The programs journey: a coordinator sets up a program, imports a roster with one bad row,
members complete intake, a matching run is reviewed, adjusted and published, and a member
accepts the circle it formed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from peerhaven.circles.models import Circle
from peerhaven.programs import actions
from peerhaven.programs.forms import IntakeForm
from peerhaven.programs.models import Enrollment, MatchingRun, Program
from tests.browser.conftest import LAPTOP, PHONE, check_page
from tests.browser.test_circle_journey import path_of, sign_in
from tests.conftest import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (name, e-mail, rank, department): thirteen good rows, plus one bad address on line 9.
ROSTER = [
    ("Amara Okafor, MD", "amara.okafor@lakeshore.edu", "Assistant Professor", "Medicine"),
    ("Daniel Reyes, MD", "daniel.reyes@lakeshore.edu", "Asst. Prof.", "Pediatrics"),
    ("Priya Natarajan, MD PhD", "priya.natarajan@lakeshore.edu", "Instructor", "Neurology"),
    ("Thomas Becker, MD", "thomas.becker@lakeshore.edu", "Associate Professor", "Surgery"),
    ("Mei Lin Zhou, MD", "meilin.zhou@lakeshore.edu", "Assistant Professor", "Psychiatry"),
    ("Kwame Mensah, MD MPH", "kwame.mensah@lakeshore.edu", "Assistant Professor", "Emergency"),
    ("Sofia Marquez, DO", "sofia.marquez@lakeshore.edu", "Instructor", "Family Medicine"),
    ("Jonah Feldman, PhD", "jonah.feldman@lakeshore", "Assistant Professor", "Pharmacology"),
    ("Hannah Schultz, MD", "hannah.schultz@lakeshore.edu", "Assistant Professor", "Radiology"),
    ("Rahul Mehta, MD", "rahul.mehta@lakeshore.edu", "Associate Professor", "Cardiology"),
    ("Grace O'Neill, MD", "grace.oneill@lakeshore.edu", "Assistant Professor", "Obstetrics"),
    ("Yusuf Haddad, MD", "yusuf.haddad@lakeshore.edu", "Instructor", "Anesthesiology"),
    ("Elena Petrova, MD PhD", "elena.petrova@lakeshore.edu", "Assistant Professor", "Oncology"),
    ("Marcus Johnson, MD", "marcus.johnson@lakeshore.edu", "Assistant Professor", "Dermatology"),
]
BAD_EMAIL = "jonah.feldman@lakeshore"
BAD_LINE = 9  # the header is line 1, as a spreadsheet numbers it
# Thursday 12:00–13:00 in Chicago: every member can meet then.
THURSDAY_NOON = [3 * 48 + 24, 3 * 48 + 25]
RANKS = {
    "Instructor": "instructor",
    "Assistant Professor": "assistant_professor",
    "Asst. Prof.": "assistant_professor",
    "Associate Professor": "associate_professor",
}


def roster_csv() -> bytes:
    lines = ["Name,Email,Rank,Department"]
    lines += [",".join(f'"{cell}"' for cell in row) for row in ROSTER]
    return ("\n".join(lines) + "\n").encode()


def check(page, name: str) -> None:
    """check_page, and the page fits a phone's width: no sideways scrolling of the page."""
    check_page(page, name)
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(LAPTOP)
    assert width <= PHONE["width"], f"{name} is {width}px wide on a phone"


def new_page(browser, live_server):
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page, errors


def complete_intake_in_code(program, user) -> None:
    """What the intake page does for one member, through the same actions."""
    enrollment = actions.do_apply(program, user)
    form = IntakeForm(
        {
            "career_stage": user.profile.career_stage,
            "department": user.profile.department,
            "time_zone": "America/Chicago",
            "meeting_preference": user.profile.meeting_preference or "virtual",
            "keep_apart_from": "",
        },
        instance=actions.intake_profile(enrollment, user),
        questions=[],
        enrollment=enrollment,
    )
    assert form.is_valid(), form.errors
    actions.do_save_intake(enrollment, form)


def test_create_enrol_match_adjust_publish_and_join(browser, live_server, dana):
    dana_page, dana_errors = new_page(browser, live_server)
    member_page, member_errors = new_page(browser, live_server)
    page = dana_page

    # Dana creates the program.
    sign_in(page, dana.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    page.get_by_role("heading", name="Programs", exact=True).wait_for()
    check(page, "program-list-empty")
    page.get_by_role("link", name="New program").click()
    check(page, "program-create")
    page.get_by_label("Name", exact=True).fill("New Faculty Peer Mentoring 2027")
    page.get_by_label("Description").fill(
        "Small peer circles for faculty in their first three years at Lakeshore."
    )
    page.get_by_label("Starts on").fill((timezone.localdate() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Create the program").click()
    page.get_by_text("Program created.").wait_for()
    program = Program.objects.get(name="New Faculty Peer Mentoring 2027")
    assert program.time_zone == "America/Chicago"  # the form's default, not the list's first

    # The policy page comes next; she keeps the EOT preset and saves it.
    check(page, "program-policy")
    assert page.get_by_label("Every group shares a weekly meeting slot").is_checked()
    page.get_by_role("button", name="Save the policy").click()
    page.get_by_text("Matching policy saved.").wait_for()

    # She imports the roster: the bad row is reported by line and column, the rest invited.
    page.get_by_role("link", name="Import a roster").click()
    page.get_by_label("Roster file").set_input_files(
        {"name": "new-faculty-2027.csv", "mimeType": "text/csv", "buffer": roster_csv()}
    )
    page.get_by_role("button", name="Check the file").click()
    problem = page.get_by_role("alert").get_by_role("listitem")
    assert re.search(rf"Line {BAD_LINE}, column “Email”.*{BAD_EMAIL}", problem.inner_text())
    page.get_by_text("13 people ready to invite").wait_for()
    check(page, "program-roster-preview")
    assert not Enrollment.objects.filter(program=program).exists()  # nothing before confirm
    page.get_by_role("button", name="Invite 13 people").click()
    page.get_by_text("13 invited; 0 were already enrolled.").wait_for()
    check(page, "program-enrollments")
    assert program.enrollments.filter(state=Enrollment.State.INVITED).count() == 13
    invited = {m.to[0] for m in mail.outbox if "invites you to" in m.body}
    assert len(invited) == 13
    assert BAD_EMAIL not in invited

    # The members have accounts; Amara completes intake in the browser, the rest in code.
    members = {
        email: make_member(
            email,
            name,
            career_stage=RANKS[rank],
            department=department,
            availability=THURSDAY_NOON,
        )
        for name, email, rank, department in ROSTER
        if email != BAD_EMAIL
    }
    amara = members["amara.okafor@lakeshore.edu"]
    sign_in(member_page, amara.email)
    member_page.goto(path_of(program_link(amara.email)))
    member_page.get_by_role("button", name="Join the program").click()
    member_page.get_by_role("heading", name="About you, for matching").wait_for()
    check(member_page, "program-intake")
    member_page.get_by_label("Department").fill("Internal Medicine")
    member_page.get_by_label("Please don't group me with").fill("Marcus Johnson, MD")
    member_page.get_by_role("button", name="Save my answers").click()
    member_page.get_by_text("you are in New Faculty Peer Mentoring 2027").wait_for()
    member_page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    member_page.get_by_text("Accepted").wait_for()
    for user in members.values():
        if user != amara:
            complete_intake_in_code(program, user)
    assert program.enrollments.filter(state=Enrollment.State.ACCEPTED).count() == 13

    # Dana starts a run: it finishes during the request here, so the review shows at once.
    page.get_by_role("link", name="Matching runs").click()
    check(page, "program-runs")
    page.get_by_role("button", name="Start a matching run").click()
    page.get_by_role("heading", name=re.compile(r"^Run #1")).wait_for()
    check(page, "program-run-review")
    first = MatchingRun.objects.get(program=program, number=1)
    assert first.state == MatchingRun.State.SUCCEEDED, first.status_message
    sizes = sorted(len(g["members"]) for g in first.result["groups"])
    assert sizes == [6, 7]
    assert not first.result["unplaced"]
    page.get_by_text("13 of 13; 13 in a group that shares a weekly meeting slot").wait_for()
    assert page.get_by_text("none", exact=True).is_visible()  # no rule broken

    # She moves someone from the group of seven to the group of six: 6 and 7 keep the rules.
    large, small = sorted(first.result["groups"], key=lambda g: -len(g["members"]))
    # Not Amara or Marcus: she asked not to be grouped with him.
    mover = next(
        e
        for e in Enrollment.objects.filter(pk__in=large["members"][1:]).order_by("pk")
        if e.email not in ("amara.okafor@lakeshore.edu", "marcus.johnson@lakeshore.edu")
    )
    page.get_by_label(f"Move {mover.name} to").select_option(small["label"])
    page.get_by_role("button", name=f"Move {mover.name}").click()
    page.get_by_role("heading", name=f"Run #2 — Moved {mover.name} to {small['label']}").wait_for()
    group = page.get_by_role("region", name=small["label"], exact=True)
    group.get_by_label(f"Move {mover.name} to").wait_for()
    assert page.get_by_text("none", exact=True).is_visible()
    check(page, "program-run-moved")
    second = MatchingRun.objects.get(program=program, number=2)
    assert second.parent == first
    assert not sum(second.result["violations"].values())
    moved = {g["label"]: g["members"] for g in second.result["groups"]}
    assert str(mover.pk) in moved[small["label"]]
    assert len(moved[small["label"]]) == 7

    # Publish: two circles, their members invited.
    page.get_by_role("button", name="Publish: create the circles and invite everyone").click()
    page.get_by_text("Published: 2 circles created").wait_for()
    check(page, "program-detail-published")
    second.refresh_from_db()
    assert second.published_at is not None
    circle = Circle.objects.get(name=f"New Faculty Peer Mentoring 2027 — {small['label']}")

    # The person Dana moved signs in, sees the invitation and accepts it.
    mover_page, mover_errors = new_page(browser, live_server)
    sign_in(mover_page, mover.email)
    mover_page.get_by_role("navigation", name="Main").get_by_role("link", name="Circles").click()
    mover_page.get_by_role("heading", name="Invitations waiting for you").wait_for()
    mover_page.get_by_text(circle.name, exact=True).wait_for()
    check(mover_page, "program-member-circles")
    # Accepting right there: a verified address proves the mailbox as the e-mailed link does.
    mover_page.get_by_role("button", name="Accept and read the ground rules").click()
    mover_page.get_by_role("button", name="I agree to these ground rules").click()
    mover_page.get_by_text("Welcome to the circle.").wait_for()
    assert circle.active_memberships().filter(user__email=mover.email).exists()

    for each in (dana_page, member_page, mover_page):
        each.context.close()
    assert dana_errors + member_errors + mover_errors == []


def program_link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://\S+/programs/\d+/apply/", message.body).group(0)

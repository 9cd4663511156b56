"""Setting up a program and enrolling its cohort. Matching runs and publishing are in
``matching_actions.py``."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from peerhaven.accounts.actions import profile_of
from peerhaven.accounts.choices import Specialty
from peerhaven.circles.models import hash_token, new_token
from peerhaven.programs import emails, policies
from peerhaven.programs.models import Enrollment, Program


class ProgramError(Exception):
    """A program rule refused the action; the message is shown to the person."""


@transaction.atomic
def do_create_program(*, acting_user, facilitators=(), **fields) -> Program:
    program = Program.objects.create(created_by=acting_user, **fields)
    program.facilitators.set(facilitators)
    program.policy = policies.preset(policies.DEFAULT_PRESET)
    program.save(update_fields=["policy"])
    return program


@transaction.atomic
def do_update_policy(program: Program, settings: dict, *, acting_user) -> None:
    program.policy = settings
    program.save(update_fields=["policy"])


@transaction.atomic
def do_new_join_link(program: Program, *, acting_user) -> str:
    """A link that lets anyone who has it apply; a new one replaces the old."""
    token, token_hash = new_token()
    program.join_token_hash = token_hash
    program.save(update_fields=["join_token_hash"])
    return token


def join_link_matches(program: Program, token: str) -> bool:
    return bool(program.join_token_hash) and hash_token(token) == program.join_token_hash


@transaction.atomic
def do_import_roster(program: Program, rows, fingerprint: str, *, acting_user) -> tuple[int, int]:
    """Invite everyone on the roster who is not enrolled yet; importing the same file (or
    the same people) twice adds nobody twice. Returns (invited, already enrolled)."""
    known = set(program.enrollments.values_list("email", flat=True))
    now = timezone.now()
    invited = []
    for row in rows:
        if row.email in known:
            continue
        known.add(row.email)
        invited.append(
            Enrollment.objects.create(
                program=program,
                email=row.email,
                name=row.name,
                state=Enrollment.State.INVITED,
                roster_fingerprint=fingerprint,
                invited_at=now,
                answers={"roster": _roster_profile(row)},
            )
        )
    for enrollment in invited:
        emails.send_program_invitation(enrollment)
    return len(invited), len(rows) - len(invited)


def _roster_profile(row) -> dict:
    """What the roster says about a person, offered as defaults on their intake form."""
    fields = ("career_stage", "department", "institution", "time_zone")
    values = {name: getattr(row, name) for name in fields if getattr(row, name)}
    if row.rank_since_year:
        values["rank_since_year"] = row.rank_since_year
    if row.specialty:
        values.update(_specialty_fields(row.specialty))
    return values


def _specialty_fields(text: str) -> dict:
    """A roster's free-text specialty as the profile's choice, or "Other" with the text."""
    by_label = {label.lower(): value for value, label in Specialty.choices}
    value = by_label.get(text.strip().lower())
    if value:
        return {"specialty": value}
    return {"specialty": Specialty.OTHER, "specialty_other": text.strip()}


def may_apply(program: Program, user, *, via_link: bool = False) -> bool:
    if program.applications_open or via_link:
        return True
    return invited_enrollment(program, user) is not None


def invited_enrollment(program: Program, user) -> Enrollment | None:
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user, verified=True).values("email")
    return program.enrollments.filter(email__in=addresses).first()


@transaction.atomic
def do_apply(program: Program, user, *, via_link: bool = False) -> Enrollment:
    enrollment = program.enrollments.filter(user=user).first() or invited_enrollment(program, user)
    if enrollment is None:
        if not may_apply(program, user, via_link=via_link):
            raise ProgramError("This program takes members by invitation only.")
        enrollment = Enrollment(program=program, email=user.email, state=Enrollment.State.APPLIED)
    if enrollment.state == Enrollment.State.WITHDRAWN:
        raise ProgramError("You withdrew from this program. Ask its coordinator to re-admit you.")
    enrollment.user = user
    enrollment.name = user.display_name
    enrollment.save()
    return enrollment


@transaction.atomic
def do_save_intake(enrollment: Enrollment, form) -> Enrollment:
    """Save the intake: the profile fields go to the member's own profile (so every program
    sees the same truth); answers stay with the program. Someone staff invited is accepted
    once they complete it; an open applicant waits for staff."""
    form.save()
    enrollment.answers = {**enrollment.answers, **form.answers()}
    enrollment.keep_apart_from = form.cleaned_data["keep_apart_from"]
    if enrollment.state == Enrollment.State.INVITED:
        enrollment.state = Enrollment.State.ACCEPTED
    enrollment.applied_at = enrollment.applied_at or timezone.now()
    enrollment.save()
    return enrollment


@transaction.atomic
def do_set_enrollment_state(enrollment: Enrollment, state: str, reason: str, *, acting_user):
    enrollment.state = state
    enrollment.reason = reason
    enrollment.save(update_fields=["state", "reason", "updated_at"])


def intake_profile(enrollment: Enrollment, user):
    """The member's profile, with the roster's values filled in where the profile is empty."""
    profile = profile_of(user)
    for name, value in enrollment.answers.get("roster", {}).items():
        if not getattr(profile, name, None) or getattr(profile, name) == "UTC":
            setattr(profile, name, value)
    return profile

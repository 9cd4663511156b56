"""Program pages for staff (set-up, enrolment, roster) and for members (apply, intake).
Matching runs are in ``matching_views.py``."""

from __future__ import annotations

from dataclasses import asdict

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerhaven.accounts.choices import CareerStage
from peerhaven.circles.meeting_actions import next_meeting
from peerhaven.circles.models import Circle
from peerhaven.lib.requests import posted
from peerhaven.notifications.email import absolute_url
from peerhaven.orgs.models import StaffRole
from peerhaven.programs import actions, policies, reports, roster
from peerhaven.programs.access import program_view
from peerhaven.programs.actions import ProgramError
from peerhaven.programs.engine import shared_meeting_slots
from peerhaven.programs.forms import (
    EnrollmentStateForm,
    IntakeForm,
    IntakeQuestionForm,
    PolicyForm,
    ProgramForm,
    RosterUploadForm,
)
from peerhaven.programs.matching_actions import places_by_email
from peerhaven.programs.models import (
    MANAGING_ROLES,
    STAFF_ROLES,
    Enrollment,
    PeerPair,
    Program,
    ProgramCircle,
)
from peerhaven.programs.slots import local_slot

ROSTER_PREVIEW_SECONDS = 60 * 60


def managed_organizations(user) -> list[int]:
    grants = StaffRole.objects.filter(user=user, role__in=MANAGING_ROLES)
    return list(grants.values_list("organization_id", flat=True))


def program_list(request):
    staffed = Program.objects.staffed_by(request.user).select_related("organization")
    # Invited by address and not yet joined count as theirs too, once the address is verified.
    addresses = EmailAddress.objects.filter(user=request.user, verified=True).values("email")
    mine = Enrollment.objects.filter(
        Q(user=request.user) | Q(user__isnull=True, email__in=addresses)
    ).select_related("program")
    context = {
        "staffed": staffed.annotate(enrolled=Count("enrollments")),
        "enrollments": mine,
        "open_programs": Program.objects.open_for_applications().exclude(
            pk__in=mine.values("program")
        ),
        "can_create": bool(managed_organizations(request.user)),
        "facilitates": Program.objects.filter(facilitators=request.user).exists(),
    }
    return render(request, "programs/list.html", context)


def program_create(request):
    organizations = managed_organizations(request.user)
    if not organizations:
        raise PermissionDenied("Only program administrators and coordinators create programs.")
    form = ProgramForm(posted(request), organizations=organizations)
    if form.is_valid():
        program = actions.do_create_program(acting_user=request.user, **form.cleaned_data)
        messages.success(request, "Program created. Next: how people should be matched.")
        return redirect("programs:policy", program_id=program.pk)
    return render(request, "programs/form.html", {"form": form, "program": None})


@program_view(roles=STAFF_ROLES)
def program_detail(request, program):
    context = {
        "program": program,
        "funnel": reports.funnel(program),
        "circle_rows": reports.circle_rows(program),
        "attendance": reports.attendance_distribution(program),
        "by_month": reports.still_meeting_by_month(program),
        "policy_lines": policies.describe(program.policy),
        "runs": program.runs.all()[:5],
        "can_manage": bool(set(managed_organizations(request.user)) & {program.organization_id}),
    }
    return render(request, "programs/detail.html", context)


@program_view()
def program_edit(request, program):
    form = ProgramForm(
        posted(request), instance=program, organizations=managed_organizations(request.user)
    )
    if form.is_valid():
        form.save()
        messages.success(request, "Program saved.")
        return redirect("programs:detail", program_id=program.pk)
    return render(request, "programs/form.html", {"form": form, "program": program})


@program_view()
def policy_edit(request, program):
    settings = program.policy or policies.preset(policies.DEFAULT_PRESET)
    if request.method == "POST" and "load_preset" in request.POST:
        settings = policies.preset(request.POST.get("preset", policies.DEFAULT_PRESET))
        form = PolicyForm(settings=settings)
        form.initial["preset"] = settings["preset"]
    else:
        form = PolicyForm(posted(request), settings=settings)
        if form.is_valid():
            actions.do_update_policy(program, form.settings(), acting_user=request.user)
            messages.success(request, "Matching policy saved.")
            return redirect("programs:detail", program_id=program.pk)
    return render(request, "programs/policy.html", {"program": program, "form": form})


@program_view()
def enrollments(request, program):
    places = places_by_email(program)
    people = list(program.enrollments.select_related("user__profile"))
    for enrollment in people:
        label, how = places.get(enrollment.email.lower(), ("", ""))
        enrollment.place = f"{label} ({how})" if label else ""
    context = {
        "program": program,
        "enrollments": people,
        "state_form": EnrollmentStateForm(),
        "states": Enrollment.State.choices,
    }
    return render(request, "programs/enrollments.html", context)


@require_POST
@program_view()
def enrollment_state(request, program, enrollment_id):
    enrollment = get_object_or_404(program.enrollments, pk=enrollment_id)
    form = EnrollmentStateForm(request.POST)
    if form.is_valid():
        actions.do_set_enrollment_state(
            enrollment,
            form.cleaned_data["state"],
            form.cleaned_data["reason"],
            acting_user=request.user,
        )
        messages.success(request, f"{enrollment.name}: {enrollment.get_state_display().lower()}.")
    else:
        messages.error(request, "Choose one of the listed states.")
    return redirect("programs:enrollments", program_id=program.pk)


@program_view()
def questions(request, program):
    form = IntakeQuestionForm(posted(request))
    if form.is_valid():
        question = form.save(commit=False)
        question.program = program
        question.position = program.questions.count()
        question.save()
        messages.success(request, "Question added to the intake form.")
        return redirect("programs:questions", program_id=program.pk)
    context = {"program": program, "form": form, "questions": program.questions.all()}
    return render(request, "programs/questions.html", context)


@require_POST
@program_view()
def question_delete(request, program, question_id):
    get_object_or_404(program.questions, pk=question_id).delete()
    messages.success(request, "Question removed.")
    return redirect("programs:questions", program_id=program.pk)


@program_view()
def roster_upload(request, program):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    preview = None
    if form.is_valid():
        upload = form.cleaned_data["roster"]
        preview = roster.read_roster(upload.name, upload.read(roster.MAX_ROSTER_BYTES + 1))
        if preview.is_importable:
            cache.set(
                _preview_key(program, preview.fingerprint),
                [asdict(r) for r in preview.rows],
                ROSTER_PREVIEW_SECONDS,
            )
    ranks = dict(CareerStage.choices)
    shown_rows = (
        [(row, ranks.get(row.career_stage, "")) for row in preview.rows[:200]] if preview else []
    )
    context = {"program": program, "form": form, "preview": preview, "shown_rows": shown_rows}
    return render(request, "programs/roster.html", context)


def _preview_key(program, fingerprint: str) -> str:
    return f"roster-preview:{program.pk}:{fingerprint}"


@require_POST
@program_view()
def roster_confirm(request, program):
    fingerprint = request.POST.get("fingerprint", "")
    rows = cache.get(_preview_key(program, fingerprint))
    if rows is None:
        messages.error(request, "That preview has expired. Upload the file again.")
        return redirect("programs:roster", program_id=program.pk)
    invited, known = actions.do_import_roster(
        program, [roster.RosterRow(**row) for row in rows], fingerprint, acting_user=request.user
    )
    cache.delete(_preview_key(program, fingerprint))
    messages.success(request, f"{invited} invited; {known} were already enrolled.")
    return redirect("programs:enrollments", program_id=program.pk)


@require_POST
@program_view()
def join_link(request, program):
    token = actions.do_new_join_link(program, acting_user=request.user)
    link = absolute_url(reverse("programs:join", args=[program.pk, token]))
    messages.success(request, f"New invitation link (any earlier one stops working): {link}")
    return redirect("programs:detail", program_id=program.pk)


# --- Members --------------------------------------------------------------------------


def join(request, program_id, token):
    """The program's invitation link: remembered in the session, then the application."""
    program = get_object_or_404(Program, pk=program_id)
    if not actions.join_link_matches(program, token):
        raise Http404("This invitation link is not valid any more.")
    request.session[f"program-link-{program.pk}"] = True
    return redirect("programs:apply", program_id=program.pk)


def apply(request, program_id):
    program = get_object_or_404(Program.objects.select_related("organization"), pk=program_id)
    via_link = request.session.get(f"program-link-{program.pk}", False)
    if not actions.may_apply(program, request.user, via_link=via_link):
        raise Http404("No such program.")
    enrollment = program.enrollments.filter(user=request.user).first()
    if request.method == "POST":
        try:
            actions.do_apply(program, request.user, via_link=via_link)
        except ProgramError as error:
            messages.error(request, str(error))
        else:
            return redirect("programs:intake", program_id=program.pk)
    return render(request, "programs/apply.html", {"program": program, "enrollment": enrollment})


def intake(request, program_id):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("program"), program_id=program_id, user=request.user
    )
    program = enrollment.program
    form = IntakeForm(
        posted(request),
        instance=actions.intake_profile(enrollment, request.user),
        questions=program.questions.all(),
        enrollment=enrollment,
    )
    if form.is_valid():
        enrollment = actions.do_save_intake(enrollment, form)
        messages.success(request, _intake_outcome(enrollment))
        if request.POST.get("then") == "availability":
            back = reverse("programs:intake", args=[program.pk])
            return redirect(f"{reverse('accounts:availability')}?next={back}")
        return redirect("dashboard")
    context = {"program": program, "enrollment": enrollment, "form": form}
    return render(request, "programs/intake.html", context)


def _intake_outcome(enrollment) -> str:
    if enrollment.state == Enrollment.State.ACCEPTED:
        return f"Thank you — you are in {enrollment.program.name}. We will tell you your group."
    return f"Thank you — your application to {enrollment.program.name} is with its coordinators."


def pair(request, program_id):
    """A member's peer partner: who they are, how to reach them, when both are free."""
    found = (
        PeerPair.objects.filter(program_id=program_id)
        .filter(Q(first=request.user) | Q(second=request.user))
        .select_related("program", "first__profile", "second__profile")
        .order_by("-created_at")
        .first()
    )
    if found is None:
        raise Http404("You have no partner in this program yet.")
    partner = found.second if found.first == request.user else found.first
    zone = timezone.get_current_timezone()
    shared = shared_meeting_slots(request.user.profile, partner.profile)
    context = {
        "program": found.program,
        "partner": partner,
        "shared": [local_slot(label, zone) for label in shared],
    }
    return render(request, "programs/pair.html", context)


def facilitating(request):
    """A facilitator's home: the program circles they facilitate, with the next meeting and
    the numbers (members, meetings held, attendance)."""
    links = ProgramCircle.objects.filter(
        program__facilitators=request.user,
        # A subquery, so the member counts below are not narrowed to this person's row.
        circle__in=Circle.objects.with_member(request.user),
    ).select_related("program", "circle")
    rows = reports.circle_rows_for(links)
    for row, link in zip(rows, links, strict=True):
        row["circle"] = link.circle
        row["program"] = link.program
        row["next_meeting"] = next_meeting(link.circle)
    return render(request, "programs/facilitating.html", {"rows": rows})

"""Matching-run pages: start, follow, review, adjust, publish."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerhaven.programs import matching_actions
from peerhaven.programs.access import program_view
from peerhaven.programs.actions import ProgramError
from peerhaven.programs.models import MANAGING_ROLES, STAFF_ROLES, MatchingRun
from peerhaven.programs.slots import local_slot


@program_view(roles=STAFF_ROLES)
def runs(request, program):
    context = {"program": program, "runs": program.runs.select_related("parent")}
    return render(request, "programs/runs.html", context)


@require_POST
@program_view()
def run_start(request, program):
    try:
        run = matching_actions.do_start_run(program, acting_user=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
        return redirect("programs:runs", program_id=program.pk)
    return redirect("programs:run", program_id=program.pk, run_id=run.pk)


def _run(program, run_id) -> MatchingRun:
    return get_object_or_404(program.runs, pk=run_id)


@program_view(roles=STAFF_ROLES)
def run_detail(request, program, run_id):
    run = _run(program, run_id)
    if not run.is_finished or request.GET.get("status"):
        template = "programs/run.html#progress" if request.htmx else "programs/run.html"
        return render(request, template, {"program": program, "run": run})
    context = {"program": program, "run": run, **review(program, run, request)}
    return render(request, "programs/run.html", context)


def review(program, run, request) -> dict:
    """The review page's view of a run: names and public profile facts per group, slots in
    the viewer's own time zone, and program-level summaries."""
    people = {
        str(e.pk): e
        for e in program.enrollments.select_related("user__profile").filter(user__isnull=False)
    }
    zone = timezone.get_current_timezone()
    groups = [
        {
            **group,
            "people": [people[m] for m in group["members"] if m in people],
            "local_slot": local_slot(group.get("slot", ""), zone),
        }
        for group in run.result.get("groups", [])
    ]
    for group in groups:
        group["mix"] = mix(group["people"], run.policy)
    unplaced = [(people.get(m), reason) for m, reason in run.result.get("unplaced", {}).items()]
    pairs = _pairs(run, people)
    unpaired = [(people.get(m), reason) for m, reason in run.result.get("unpaired", {}).items()]
    placed = sum(len(g["members"]) for g in groups)
    return {
        "groups": groups,
        "unplaced": unplaced,
        "pairs": pairs,
        "unpaired": unpaired,
        "labels": [g["label"] for g in groups],
        "sizes": sorted(Counter(len(g["members"]) for g in groups).items()),
        "placed": placed,
        "with_slot": sum(len(g["members"]) for g in groups if g.get("slot")),
        "total": placed + len(unplaced),
        "violations": sum(run.result.get("violations", {}).values()),
        "can_manage": bool(
            request.user.staff_roles.filter(
                organization=program.organization, role__in=MANAGING_ROLES
            ).exists()
        ),
    }


def _pairs(run, people) -> list[tuple]:
    """(first, second, what they share or differ in) for pairs whose people are still here."""
    pairs = []
    for pair in run.result.get("pairs", []):
        first, second = (people.get(member) for member in pair["members"])
        if first and second:
            pairs.append((first, second, mix([first, second], run.policy)))
    return pairs


# What each policy criterion counts, as a coordinator reads it; sensitive attributes are
# never criteria, so these are public profile facts.
FACTS = {
    "department": ("department", "departments", lambda p: p.department.strip().lower()),
    "career_stage": ("career stage", "career stages", lambda p: p.career_stage),
    "specialty": ("specialty", "specialties", lambda p: p.specialty_label),
    "institution": ("institution", "institutions", lambda p: p.institution.strip().lower()),
    "region": ("region", "regions", lambda p: (p.region or p.country).strip().lower()),
}


def mix(people, policy: dict) -> str:
    """'6 departments, 3 career stages' for the facts the policy weighs (left out when
    nobody in the group gave one), in place of the engine's column names."""
    parts = []
    for criterion in policy.get("criteria", []):
        if criterion.get("weight", 0) <= 0 or criterion["column"] not in FACTS:
            continue
        singular, plural, fact = FACTS[criterion["column"]]
        values = {fact(person.user.profile) for person in people} - {""}
        if len(values) == 1:
            parts.append(f"all the same {singular}")
        elif values:
            parts.append(f"{len(values)} {plural}")
    return ", ".join(parts)


@require_POST
@program_view()
def run_cancel(request, program, run_id):
    matching_actions.do_cancel_run(_run(program, run_id), acting_user=request.user)
    messages.info(request, "Cancelling: the run stops at its next checkpoint.")
    return redirect("programs:run", program_id=program.pk, run_id=run_id)


def _adjusted(request, program, run_id, change):
    run = _run(program, run_id)
    try:
        new = change(run)
    except ProgramError as error:
        messages.error(request, str(error))
        return redirect("programs:run", program_id=program.pk, run_id=run.pk)
    return redirect("programs:run", program_id=program.pk, run_id=new.pk)


@require_POST
@program_view()
def run_move(request, program, run_id):
    member, to = request.POST.get("member", ""), request.POST.get("to", "")
    return _adjusted(
        request,
        program,
        run_id,
        lambda run: matching_actions.do_move_member(run, member, to, acting_user=request.user),
    )


@require_POST
@program_view()
def run_lock(request, program, run_id):
    label = request.POST.get("label", "")
    return _adjusted(
        request,
        program,
        run_id,
        lambda run: matching_actions.do_toggle_lock(run, label, acting_user=request.user),
    )


@require_POST
@program_view()
def run_rerun(request, program, run_id):
    try:
        run = matching_actions.do_start_run(
            program, acting_user=request.user, keep_locked_from=_run(program, run_id)
        )
    except ProgramError as error:
        messages.error(request, str(error))
        return redirect("programs:run", program_id=program.pk, run_id=run_id)
    return redirect("programs:run", program_id=program.pk, run_id=run.pk)


@require_POST
@program_view()
def run_publish(request, program, run_id):
    try:
        circles = matching_actions.do_publish_run(_run(program, run_id), acting_user=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
        return redirect("programs:run", program_id=program.pk, run_id=run_id)
    messages.success(
        request, f"Published: {len(circles)} circles created and their members invited."
    )
    return redirect("programs:detail", program_id=program.pk)


@require_POST
@program_view()
def place_late_joiners(request, program):
    try:
        proposed, left = matching_actions.do_place_late_joiners(program, acting_user=request.user)
    except ProgramError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{proposed} late joiner{'s' if proposed != 1 else ''} proposed to circles with open "
            f"seats (each circle's members decide); {left} could not be placed.",
        )
    return redirect("programs:runs", program_id=program.pk)

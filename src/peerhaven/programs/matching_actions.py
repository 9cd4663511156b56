"""Matching runs: start one in the background, follow and cancel it, adjust its groups by
hand (each adjustment a new run), and publish it as circles."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt

from django.db import transaction
from django.utils import timezone

from peerhaven.circles.actions import CircleError, do_invite, do_start_circle
from peerhaven.circles.meeting_actions import do_update_schedule
from peerhaven.circles.models import Circle, Invitation, Membership
from peerhaven.matching import InputError
from peerhaven.programs import emails, engine
from peerhaven.programs.actions import ProgramError
from peerhaven.programs.models import MatchingRun, PeerPair, Program, ProgramCircle

# The engine names the rule; per-person reasons must not say which sensitive value a
# person has, so those are replaced by a reason that names no attribute.
PRIVATE_REASON = "no group could meet every rule for them"


def _next_number(program: Program) -> int:
    latest = program.runs.order_by("-number").values_list("number", flat=True).first()
    return (latest or 0) + 1


@transaction.atomic
def do_start_run(program: Program, *, acting_user, keep_locked_from: MatchingRun | None = None):
    """Queue a run; the worker executes it (``tasks.execute_run``) and the page follows its
    progress. A re-run keeps the locked groups of ``keep_locked_from`` as they are."""
    from peerhaven.programs.tasks import execute_run

    if not engine.matchable(program).exists():
        raise ProgramError("Nobody has been accepted into the program yet.")
    run = MatchingRun.objects.create(
        program=Program.objects.select_for_update().get(pk=program.pk),
        number=_next_number(program),
        parent=keep_locked_from,
        note="Re-run keeping locked groups" if keep_locked_from else "",
        policy=program.policy,
        created_by=acting_user,
    )
    transaction.on_commit(lambda: execute_run.enqueue(run.pk))
    return run


def locked_groups(run: MatchingRun | None) -> list[dict]:
    if run is None:
        return []
    return [group for group in run.result.get("groups", []) if group.get("locked")]


def perform_run(run: MatchingRun) -> None:
    """The body of the background task."""
    MatchingRun.objects.filter(pk=run.pk).update(state=MatchingRun.State.RUNNING, progress=0.01)
    try:
        result = {}
        if run.program.format != Program.Format.PAIRS:
            result.update(_grouping(run))
        if run.program.format != Program.Format.CIRCLES:
            result.update(engine.run_pairs(run.program))
    except InputError as error:  # the policy cannot be met: say so on the run's page
        _finish(run, MatchingRun.State.FAILED, message=str(error)[:300])
        return
    except Exception:  # a bug: the run says so, and the task fails loudly
        _finish(run, MatchingRun.State.FAILED, message="Matching failed unexpectedly.")
        raise
    cancelled = MatchingRun.objects.filter(pk=run.pk, cancel_requested=True).exists()
    state = MatchingRun.State.CANCELLED if cancelled else MatchingRun.State.SUCCEEDED
    _finish(run, state, result=_without_private_reasons(result))


def _grouping(run: MatchingRun) -> dict:
    kept = locked_groups(run.parent)
    result = engine.run_groups(
        run.program,
        exclude={member for group in kept for member in group["members"]},
        progress=_progress_writer(run),
        cancel=_cancel_checker(run),
    )
    if kept:
        result["groups"] = kept + _relabelled(result["groups"], {g["label"] for g in kept})
        result.update(engine.evaluate(run.program, result["groups"]))
    return result


def _relabelled(groups: list[dict], taken: set[str]) -> list[dict]:
    """New groups get labels the locked ones do not use (G1, G2, … skipping taken ones)."""
    number = 0
    for group in groups:
        number += 1
        while f"G{number}" in taken:
            number += 1
        group["label"] = f"G{number}"
    return groups


def _progress_writer(run: MatchingRun):
    last = [0.0]

    def write(fraction: float, message: str) -> None:
        if fraction - last[0] >= 0.05 or fraction >= 1:
            last[0] = fraction
            MatchingRun.objects.filter(pk=run.pk).update(progress=fraction, status_message=message)

    return write


def _cancel_checker(run: MatchingRun):
    def cancelled() -> bool:
        return MatchingRun.objects.filter(pk=run.pk, cancel_requested=True).exists()

    return cancelled


def _finish(run: MatchingRun, state: str, *, result=None, message: str = "") -> None:
    MatchingRun.objects.filter(pk=run.pk).update(
        state=state,
        progress=1.0,
        status_message=message,
        result=result or {},
        finished_at=timezone.now(),
    )


def _without_private_reasons(result: dict) -> dict:
    for key in ("unplaced", "unpaired"):
        result[key] = {
            person: PRIVATE_REASON if "urm" in reason else reason
            for person, reason in result.get(key, {}).items()
        }
    return result


def do_cancel_run(run: MatchingRun, *, acting_user) -> None:
    if not run.is_finished:
        MatchingRun.objects.filter(pk=run.pk).update(cancel_requested=True)


# --- Adjusting by hand ----------------------------------------------------------------------


@transaction.atomic
def do_move_member(run: MatchingRun, member: str, to_label: str, *, acting_user) -> MatchingRun:
    """Move one person to another group (or out of every group), as a new version."""
    groups = copy.deepcopy(run.result.get("groups", []))
    labels = {group["label"] for group in groups}
    if to_label and to_label not in labels:
        raise ProgramError("That group is not in this run.")
    source = next((g for g in groups if member in g["members"]), None)
    if source is None and member not in run.result.get("unplaced", {}):
        raise ProgramError("That person is not in this run.")
    if source is not None and source.get("locked"):
        raise ProgramError(f"{source['label']} is locked; unlock it to change it.")
    if source is not None:
        source["members"].remove(member)
    unplaced = dict(run.result.get("unplaced", {}))
    unplaced.pop(member, None)
    if to_label:
        next(g for g in groups if g["label"] == to_label)["members"].append(member)
    else:
        unplaced[member] = "taken out by staff"
    # The note names who moved where, so the list of versions says what each one changed.
    name = run.program.enrollments.filter(pk=member).values_list("name", flat=True).first()
    note = f"Moved {name} to {to_label}" if to_label else f"Took {name} out of the groups"
    return _new_version(run, groups, unplaced, note=note, acting_user=acting_user)


@transaction.atomic
def do_toggle_lock(run: MatchingRun, label: str, *, acting_user) -> MatchingRun:
    groups = copy.deepcopy(run.result.get("groups", []))
    group = next((g for g in groups if g["label"] == label), None)
    if group is None:
        raise ProgramError("That group is not in this run.")
    group["locked"] = not group.get("locked")
    note = f"{'Locked' if group['locked'] else 'Unlocked'} {label}"
    return _new_version(
        run, groups, run.result.get("unplaced", {}), note=note, acting_user=acting_user
    )


def _new_version(run, groups, unplaced, *, note, acting_user) -> MatchingRun:
    if run.published_at:
        raise ProgramError("This run is published; start a new run to change the groups.")
    result = {**run.result, "groups": groups, "unplaced": unplaced}
    result.update(engine.evaluate(run.program, groups))
    return MatchingRun.objects.create(
        program=run.program,
        number=_next_number(run.program),
        parent=run,
        note=note,
        state=MatchingRun.State.SUCCEEDED,
        progress=1.0,
        policy=run.policy,
        result=result,
        created_by=acting_user,
        finished_at=timezone.now(),
    )


# --- Publishing ---------------------------------------------------------------------------


@transaction.atomic
def do_publish_run(run: MatchingRun, *, acting_user) -> list[Circle]:
    """Create a circle per group through the circles' own actions: the program's charter and
    cadence, a facilitator (or the group's first member) convening, everyone else invited."""
    if run.state != MatchingRun.State.SUCCEEDED or run.published_at:
        raise ProgramError("Only a finished, unpublished run can be published.")
    if sum(run.result.get("violations", {}).values()):
        raise ProgramError("This grouping breaks a rule; fix it before publishing.")
    program = run.program
    members = {str(e.pk): e.user for e in engine.matchable(program)}
    facilitators = list(program.facilitators.all())
    circles = []
    for group in run.result.get("groups", []):
        people = [members[m] for m in group["members"] if m in members]
        if people:  # unless everyone in it withdrew since the run
            circles.append(
                _publish_group(program, run, group["label"], people, facilitators, len(circles))
            )
    for first, second in _pairs(run, members):
        pair = PeerPair.objects.create(program=program, run=run, first=first, second=second)
        emails.send_pair_introduction(pair)
    run.published_at = timezone.now()
    run.save(update_fields=["published_at"])
    return circles


def _pairs(run: MatchingRun, members: dict) -> list[tuple]:
    return [
        (members[a], members[b])
        for a, b in (pair["members"] for pair in run.result.get("pairs", []))
        if a in members and b in members
    ]


def _publish_group(program, run, label, people, facilitators, index) -> Circle:
    convener = facilitators[index % len(facilitators)] if facilitators else people[0]
    circle = do_start_circle(
        acting_user=convener,
        name=f"{program.name} — {label}",
        description=f"A {program.get_kind_display().lower()} circle of {program.organization}.",
        charter=program.charter,
        organization=program.organization,
        size_cap=program.max_group_size,
    )
    do_update_schedule(
        circle,
        acting_user=convener,
        cadence=program.cadence,
        first_meeting_on=max(program.starts_on, timezone.localdate() + dt.timedelta(days=7)),
        meeting_time=program.meeting_time,
        time_zone=program.time_zone,
        duration_minutes=60,
        location_kind=Circle.LocationKind.JITSI,
        location="",
    )
    for person in people:
        if person != convener:
            _invite(circle, person, convener)
    ProgramCircle.objects.create(program=program, circle=circle, run=run, label=label)
    return circle


def _invite(circle, person, convener) -> None:
    # A rule that changed since the run (a new supervisor link, say) refuses one invitation;
    # the rest of the circle still goes out, and the program's enrolment shows who is not
    # yet in a circle.
    with contextlib.suppress(CircleError):
        do_invite(circle, person.email, acting_user=convener)


# --- After publishing -----------------------------------------------------------------------


@transaction.atomic
def do_place_late_joiners(program: Program, *, acting_user) -> tuple[int, int]:
    """Place accepted members who are in none of the program's circles into circles with
    open seats, moving nobody already placed. Each placement goes through the circle's own
    rule: an invitation in a forming circle, the members' vote in an established one.
    Returns (proposed, not placed)."""
    links = {link.label: link.circle for link in program.program_circles.select_related("circle")}
    if not links:
        raise ProgramError("Publish a matching run first: there are no circles to join yet.")
    seated = _seated(program)
    newcomers = [e for e in engine.matchable(program) if str(e.pk) not in seated]
    if not newcomers:
        return 0, 0
    placed = engine.place_newcomers(program, seated)
    by_id = {str(e.pk): e for e in newcomers}
    for enrollment_id, label in placed.items():
        circle = links[label]
        with contextlib.suppress(CircleError):  # full meanwhile, or a new separation
            do_invite(circle, by_id[enrollment_id].email, acting_user=_convener(circle))
    return len(placed), len(newcomers) - len(placed)


def places_by_email(program: Program) -> dict[str, tuple[str, str]]:
    """{e-mail: (circle label, "member" or "invited")} for the program's circles, in two
    queries whatever the number of circles."""
    labels = dict(program.program_circles.values_list("circle_id", "label"))
    invited = Invitation.objects.filter(
        circle_id__in=labels, state=Invitation.State.PENDING, expires_at__gt=timezone.now()
    ).values_list("email", "circle_id")
    members = Membership.objects.filter(
        circle_id__in=labels, state=Membership.State.ACTIVE
    ).values_list("user__email", "circle_id")
    places = {email.lower(): (labels[circle], "invited") for email, circle in invited}
    places |= {email.lower(): (labels[circle], "member") for email, circle in members}
    return places


def _seated(program: Program) -> dict[str, str]:
    """{enrollment id: circle label} for everyone in (or invited to) a program circle."""
    places = places_by_email(program)
    return {
        str(pk): places[email.lower()][0]
        for pk, email in program.enrollments.values_list("pk", "email")
        if email.lower() in places
    }


def _convener(circle):
    return circle.active_memberships().filter(role="convener").select_related("user").first().user

"""The bridge between a program's enrolled people and the matching engine, which knows
nothing of Django: people become rows (ids are enrollment ids), the coordinator's settings
become an engine policy, and results come back as plain JSON for the run to keep."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from peerhaven.accounts import availability
from peerhaven.accounts.models import SelfDescription, SensitiveAttribute, Separation
from peerhaven.matching import People, form_groups, policy_from_dict
from peerhaven.matching.check import check_rules, objective
from peerhaven.matching.encode import encode
from peerhaven.matching.explain import explain_people
from peerhaven.matching.groups import shared_slot
from peerhaven.matching.pairs import form_pairs
from peerhaven.programs import policies
from peerhaven.programs.models import Enrollment, Program

MEETING_SLOTS = 2  # a one-hour meeting needs two free half-hours in a row


def matchable(program: Program):
    return (
        program.enrollments.filter(state=Enrollment.State.ACCEPTED, user__isnull=False)
        .select_related("user__profile")
        .order_by("pk")
    )


def build_people(enrollments) -> People:
    enrollments = list(enrollments)
    urm = _consented_under_represented({e.user_id for e in enrollments})
    return People.from_records(_record(e, e.user_id in urm) for e in enrollments)


def _record(enrollment: Enrollment, under_represented: bool) -> dict:
    profile = enrollment.user.profile
    return {
        "id": str(enrollment.pk),
        "career_stage": profile.career_stage,
        "department": profile.department.strip().lower(),
        "specialty": profile.specialty_label,
        "institution": profile.institution.strip().lower(),
        "region": (profile.region or profile.country).strip().lower(),
        "rank_year": str(profile.rank_since_year or ""),
        "slots": meeting_slot_labels(profile.availability, profile.time_zone),
        "urm": "yes" if under_represented else "",
    }


def meeting_slot_labels(slots: list[int], time_zone: str) -> list[str]:
    """UTC start times, like "Thu-18:00", at which this person has a whole hour free."""
    utc = set(availability.to_utc_slots(slots, time_zone))
    starts = [
        s
        for s in sorted(utc)
        if all((s + k) % availability.SLOTS_PER_WEEK in utc for k in range(MEETING_SLOTS))
    ]
    return [_label(s) for s in starts]


def shared_meeting_slots(profile, other) -> list[str]:
    """Hours both people are free, in the order of the week (UTC labels)."""
    theirs = set(meeting_slot_labels(other.availability, other.time_zone))
    return [s for s in meeting_slot_labels(profile.availability, profile.time_zone) if s in theirs]


def _label(slot: int) -> str:
    day, row = divmod(slot, availability.SLOTS_PER_DAY)
    return f"{availability.DAYS[day]}-{availability.slot_time(row)}"


def _consented_under_represented(user_ids: set[int]) -> set[int]:
    """Only members who allowed matching to use it; the value is decrypted here and goes
    no further than the engine's "no one alone" rule."""
    answers = SelfDescription.objects.filter(
        user_id__in=user_ids,
        attribute=SensitiveAttribute.UNDER_REPRESENTED,
        matching_allowed=True,
    )
    return {a.user_id for a in answers if a.value == "yes"}


def conflict_pairs(enrollments, *, supervisors: bool) -> list[list[str]]:
    """Pairs who must never share a group: supervisor links from profiles (when the policy
    keeps them apart) and each member's private "please don't group me with" list."""
    enrollments = list(enrollments)
    by_email = {e.user.email.lower(): str(e.pk) for e in enrollments}
    pairs = set()
    if supervisors:
        links = Separation.objects.filter(owner__in=[e.user_id for e in enrollments])
        owner_ids = {e.user_id: str(e.pk) for e in enrollments}
        for link in links:
            other = by_email.get(link.email.lower())
            if other and other != owner_ids[link.owner_id]:
                pairs.add(tuple(sorted((owner_ids[link.owner_id], other))))
    pairs |= _keep_apart_pairs(enrollments)
    return [list(pair) for pair in sorted(pairs)]


def _keep_apart_pairs(enrollments) -> set[tuple[str, str]]:
    names = {e.user.display_name.lower(): str(e.pk) for e in enrollments}
    names |= {e.user.email.lower(): str(e.pk) for e in enrollments}
    pairs = set()
    for enrollment in enrollments:
        for line in enrollment.keep_apart_from.splitlines():
            other = names.get(line.strip().lower())
            if other and other != str(enrollment.pk):
                pairs.add(tuple(sorted((str(enrollment.pk), other))))
    return pairs


def engine_policy(program: Program, enrollments) -> dict:
    # A facilitator convenes each circle and takes one of its seats.
    seats = program.max_group_size - (1 if program.facilitators.exists() else 0)
    policy = policies.engine_policy(
        program.policy, min_size=min(program.min_group_size, seats), max_size=seats
    )
    supervisors = program.policy.get("rules", {}).get("supervisors_apart", False)
    policy["rules"]["conflicts"] = conflict_pairs(enrollments, supervisors=supervisors)
    return policy


def run_groups(
    program: Program,
    *,
    seed: int = 0,
    exclude: set[str] = frozenset(),
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> dict:
    """Form groups for the program's accepted members, leaving out ``exclude`` (the members
    of groups staff locked, which stay exactly as they are)."""
    enrollments = [e for e in matchable(program) if str(e.pk) not in exclude]
    people = build_people(enrollments)
    policy = policy_from_dict(engine_policy(program, enrollments))
    result = form_groups(people, policy, seed=seed, progress=progress, cancel=cancel)
    groups = [
        {"label": name, "members": members, "slot": slot, "explanation": text, "locked": False}
        for name, members, slot, text in zip(
            result.names, result.members(), result.slots, result.explanations, strict=True
        )
    ]
    return {
        "groups": groups,
        "unplaced": result.unplaced,
        "objective": round(result.objective, 3),
        "violations": result.check.counts,
        "seconds": round(result.seconds, 2),
    }


def place_newcomers(program: Program, seated: dict[str, str]) -> dict[str, str]:
    """Incremental mode: the engine keeps everyone in ``seated`` (enrollment id -> circle
    label) where they are and places the other accepted members into open seats.
    Returns {newcomer id: label} for those it could place."""
    enrollments = list(matchable(program))
    people = build_people(enrollments)
    policy = policy_from_dict(engine_policy(program, enrollments))
    result = form_groups(people, policy, existing=seated)
    labels = {pid: result.group_label(i) for i, pid in enumerate(result.ids)}
    placed = {
        pid: label
        for pid, label in labels.items()
        if pid not in seated and label in set(seated.values())
    }
    return placed


def run_pairs(program: Program) -> dict:
    enrollments = list(matchable(program))
    people = build_people(enrollments)
    raw = engine_policy(program, enrollments)
    raw["groups"] = {"min_size": 2, "max_size": 2}
    result = form_pairs(people, policy_from_dict(raw))
    return {
        "pairs": [
            {"members": list(pair), "explanation": text}
            for pair, text in zip(result.pairs, result.explanations, strict=True)
        ],
        "unpaired": result.unpaired,
        "violations": {"pairs": result.violations},
    }


def evaluate(program: Program, groups: list[dict]) -> dict:
    """Score and check a grouping that staff changed by hand, the same way the engine does."""
    enrollments = list(matchable(program))
    people = build_people(enrollments)
    policy = policy_from_dict(engine_policy(program, enrollments))
    enc = encode(people, policy)
    group_of = np.full(len(people), -1, dtype=np.int64)
    for g, group in enumerate(groups):
        for member in group["members"]:
            if member in people.index_of:
                group_of[people.index_of[member]] = g
    names = [group["label"] for group in groups]
    check = check_rules(enc, policy, group_of, names, people.ids)
    for g, group in enumerate(groups):
        members = np.flatnonzero(group_of == g)
        group["slot"] = shared_slot(enc, members)
        group["explanation"] = explain_people(enc, members, group["slot"]) if members.size else ""
    return {
        "objective": round(objective(enc, group_of, len(groups)), 3),
        "violations": check.counts,
        "violation_details": check.details,
    }

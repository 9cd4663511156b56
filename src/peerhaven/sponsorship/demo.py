"""Demo sponsorship for `make run`: a dozen opportunities with deadlines around today
(Lakeshore's own, a society's, one for the women's network, one for Maya's circle only),
Maya's nominations in every state, and three years of Lakeshore nominations behind its
equity view. Called by `manage.py seed_demo` (see settings.DEMO_SEEDERS)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerhaven.accounts.actions import do_give_sensitive_consent
from peerhaven.accounts.models import SelfDescription
from peerhaven.circles.models import Circle
from peerhaven.communities.models import Community
from peerhaven.orgs.models import Organization
from peerhaven.sponsorship.models import Follow, LetterRequest, Nomination, Opportunity

Kind, Audience = Opportunity.Kind, Opportunity.Audience
Status, Response = Nomination.Status, Nomination.Response
EARLY = ["instructor", "assistant_professor"]
MID = ["associate_professor"]

# (key, kind, title, offered by, days to the deadline, career stages, self-nomination,
#  audience, description)
OPPORTUNITIES = [
    (
        "early_career",
        Kind.AWARD,
        "Early Career Investigator Award",
        "Lakeshore University School of Medicine",
        21,
        EARLY,
        True,
        Audience.ORGANIZATION,
        "Recognises an instructor or assistant professor whose research has begun to change "
        "practice. $5,000 in discretionary funds and a dean's lecture in May.",
    ),
    (
        "educator",
        Kind.AWARD,
        "Clinician-Educator of the Year",
        "Lakeshore University School of Medicine",
        2,
        [],
        False,
        Audience.ORGANIZATION,
        "For teaching that residents and students remember. Nominations need one letter "
        "from a learner and one from a colleague.",
    ),
    (
        "grand_rounds",
        Kind.GRAND_ROUNDS,
        "Department of Medicine Grand Rounds: spring speakers",
        "Lakeshore Department of Medicine",
        9,
        [],
        True,
        Audience.EVERYONE,
        "Six Wednesday slots from March to May. Junior faculty are especially encouraged.",
    ),
    (
        "plenary",
        Kind.PLENARY,
        "Annual meeting plenary: call for speakers",
        "Society of General Internal Medicine",
        35,
        [],
        True,
        Audience.EVERYONE,
        "A 20-minute plenary on work that changed how we care for patients or teach.",
    ),
    (
        "reviewers",
        Kind.EDITORIAL,
        "Reviewer panel, Journal of Graduate Medical Education",
        "Journal of Graduate Medical Education",
        14,
        [*EARLY, *MID],
        True,
        Audience.EVERYONE,
        "Four to six reviews a year, with mentored reviewing for first-time reviewers.",
    ),
    (
        "leadership_seminar",
        Kind.GRANT,
        "Mid-career women faculty leadership seminar",
        "Association of American Medical Colleges",
        45,
        MID,
        True,
        Audience.EVERYONE,
        "A week-long seminar; the school funds two places. Self-nominations need a chair's "
        "support letter.",
    ),
    (
        "visiting",
        Kind.VISITING_PROFESSORSHIP,
        "Visiting professorship in health equity",
        "Northshore Medical College",
        60,
        [*MID, "professor"],
        False,
        Audience.EVERYONE,
        "Two days at Northshore: grand rounds, a workshop with residents, and time with "
        "their health-equity research group.",
    ),
    (
        "diversity_council",
        Kind.LEADERSHIP,
        "Dean's Diversity Council: two faculty seats",
        "Lakeshore University School of Medicine",
        5,
        [],
        True,
        Audience.ORGANIZATION,
        "A three-year term; the council advises the dean on recruitment and retention.",
    ),
    (
        "program_committee",
        Kind.LEADERSHIP,
        "Program committee, regional women in medicine meeting",
        "Great Lakes Women in Medicine",
        18,
        [],
        True,
        Audience.COMMUNITY,
        "The committee picks the workshops for next autumn's meeting. About four calls.",
    ),
    (
        "chairs_award",
        Kind.AWARD,
        "Chair's nomination: Women in Medicine Leadership Award",
        "Lakeshore Department of Pediatrics",
        12,
        [],
        False,
        Audience.CIRCLE,
        "Our chair asked each circle for one name. Let's agree on ours at the next meeting.",
    ),
    (
        "k12",
        Kind.GRANT,
        "K12 scholars program: internal nominations",
        "Lakeshore Clinical and Translational Science Institute",
        -3,
        ["instructor", "assistant_professor", "fellow"],
        False,
        Audience.ORGANIZATION,
        "Two years of protected time for mentored research. Closed; decisions in January.",
    ),
    (
        "teaching_award",
        Kind.AWARD,
        "Residency teaching award",
        "American College of Physicians, Illinois chapter",
        -10,
        [],
        False,
        Audience.EVERYONE,
        "For faculty who teach residents on the wards or in clinic.",
    ),
]
# Lakeshore's awards of this year and the two before, decided months ago, for its equity
# view: (years ago, how many people put forward, how many of them selected).
HISTORY = [(2, 14, 5), (1, 18, 7), (0, 22, 8)]


def seed(rng, people: dict) -> None:
    lakeshore = Organization.objects.get(slug="lakeshore")
    opportunities = _opportunities(people, lakeshore)
    _maya_nominations(people, opportunities)
    _describe_more_people(rng, people["peers"])
    _lakeshore_history(rng, people, lakeshore)


def _opportunities(people, lakeshore) -> dict[str, Opportunity]:
    today = timezone.localdate()
    circle = _lunch_circle(people)
    network = Community.objects.get(
        name="Women in Academic Medicine Network", members__user=people["moderator"]
    )
    made = {}
    for key, kind, title, offered_by, days, stages, itself, audience, text in OPPORTUNITIES:
        made[key] = Opportunity.objects.create(
            kind=kind,
            title=title,
            offered_by=offered_by,
            description=text,
            career_stages=stages,
            deadline=today + dt.timedelta(days=days),
            how_to_apply="Nominate through Peerhaven; the coordinator sends the packet on.",
            self_nomination_allowed=itself,
            audience=audience,
            organization=_posted_for(lakeshore, audience, offered_by),
            community=network if audience == Audience.COMMUNITY else None,
            circle=circle if audience == Audience.CIRCLE else None,
            posted_by=_poster(people, audience, offered_by),
        )
    return made


def _posted_for(lakeshore, audience, offered_by):
    """Lakeshore's own opportunities are posted on its behalf; a circle's stays its own."""
    if audience == Audience.CIRCLE or not offered_by.startswith("Lakeshore"):
        return None
    return lakeshore


def _lunch_circle(people) -> Circle:
    return Circle.objects.get(name="Thursday Lunch Circle", memberships__user=people["convener"])


def _poster(people, audience, offered_by):
    if audience == Audience.CIRCLE:
        return people["convener"]
    if audience == Audience.COMMUNITY:
        return people["moderator"]
    return people["coordinator"] if offered_by.startswith("Lakeshore") else people["member"]


def _maya_nominations(people, opportunities) -> None:
    """Maya made and received nominations in every state; she follows the award that closes
    in two days and has a letter to write for a peer."""
    maya, priya = people["member"], people["convener"]
    members = (
        _lunch_circle(people)
        .active_memberships()
        .exclude(user__in=[maya, priya])
        .select_related("user__profile")
    )
    peer_a, peer_b, peer_c = (membership.user for membership in members[:3])
    received = [
        ("early_career", priya, Response.PENDING, Status.DRAFT),
        ("diversity_council", peer_a, Response.DECLINED, Status.DRAFT),
        ("k12", priya, Response.ACCEPTED, Status.SELECTED),
        ("teaching_award", peer_b, Response.ACCEPTED, Status.NOT_SELECTED),
        ("plenary", maya, Response.ACCEPTED, Status.SUBMITTED),
    ]
    made = [
        ("educator", peer_a, Response.ACCEPTED, Status.DRAFT),
        ("reviewers", peer_b, Response.PENDING, Status.DRAFT),
        ("leadership_seminar", priya, Response.ACCEPTED, Status.WITHDRAWN),
    ]
    for key, nominator, response, status in received:
        _nominate(opportunities[key], maya, nominator, response, status)
    for key, nominee, response, status in made:
        _nominate(opportunities[key], nominee, maya, response, status)
    draft_for_peer = Nomination.objects.get(opportunity=opportunities["educator"], nominator=maya)
    LetterRequest.objects.create(
        nomination=draft_for_peer,
        writer=priya,
        requested_by=maya,
        note="One page on their teaching in the Thursday clinic would be perfect.",
        state=LetterRequest.State.DONE,
        done_at=timezone.now(),
    )
    for_peer = _nominate(
        opportunities["grand_rounds"], peer_c, priya, Response.ACCEPTED, Status.DRAFT
    )
    LetterRequest.objects.create(
        nomination=for_peer,
        writer=maya,
        requested_by=priya,
        note="You know their quality-improvement work best: a few paragraphs, please.",
    )
    Follow.objects.create(opportunity=opportunities["educator"], user=maya)
    Follow.objects.create(opportunity=opportunities["visiting"], user=maya)


def _nominate(opportunity, nominee, nominator, response, status) -> Nomination:
    changed = timezone.now() - dt.timedelta(days=3)
    return Nomination.objects.create(
        opportunity=opportunity,
        nominee=nominee,
        nominator=nominator,
        statement=f"{nominee.display_name} has quietly carried this work for years; it "
        "deserves to be seen.",
        response=response,
        responded_at=None if response == Response.PENDING else changed,
        status=status,
        status_changed_at=changed,
    )


def _describe_more_people(rng, peers) -> None:
    """Most peers share gender, and some under-represented status, for equity reports only
    (matching and research stay off), so the equity view has figures to show."""
    for person in peers:
        if rng.random() < 0.25:
            continue
        do_give_sensitive_consent(person)
        gender, _ = SelfDescription.objects.get_or_create(
            user=person,
            attribute="gender",
            defaults={"value": rng.choice(["woman", "woman", "man", "non_binary"])},
        )
        SelfDescription.objects.filter(pk=gender.pk).update(equity_allowed=True)
        urim = "yes" if rng.random() < 0.35 else "no"
        SelfDescription.objects.update_or_create(
            user=person,
            attribute="under_represented",
            defaults={"value": urim, "equity_allowed": True},
        )


def _lakeshore_history(rng, people, lakeshore) -> None:
    """Lakeshore's own awards of the last three years, each with peers put forward and
    some selected."""
    for years_ago, put_forward, selected in HISTORY:
        deadline = timezone.localdate() - dt.timedelta(days=365 * years_ago + 120)
        past = Opportunity.objects.create(
            kind=Kind.AWARD,
            title=f"Faculty Excellence Awards {deadline.year}",
            offered_by="Lakeshore University School of Medicine",
            deadline=deadline,
            audience=Audience.ORGANIZATION,
            organization=lakeshore,
            posted_by=people["coordinator"],
        )
        _put_forward(rng, people["peers"], past, people["convener"], put_forward, selected)


def _put_forward(rng, peers, opportunity, nominator, how_many, selected) -> None:
    chosen = rng.sample(peers, k=how_many)
    for index, nominee in enumerate(chosen):
        _nominate(
            opportunity,
            nominee,
            nominator,
            Response.ACCEPTED,
            Status.SELECTED if index < selected else Status.SUBMITTED,
        )

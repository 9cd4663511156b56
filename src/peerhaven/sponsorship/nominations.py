"""Reading nominations: a member's circle peers (whom they may nominate or ask for a letter),
who among some people can see an opportunity, and the lists on "Your nominations".

Every read goes through the rules on the querysets in models.py; nothing here widens them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, Q, Value

from peerhaven.circles.models import Circle, Membership
from peerhaven.sponsorship.models import LetterRequest, Nomination, Opportunity

# What a member sees instead of the title of a circle-only opportunity they cannot open:
# the title is circle content (see models.py).
HIDDEN_TITLE = "An opportunity shared in a circle"


def circle_peers(user):
    """Current members of the circles whose content ``user`` may read (closed circles
    aside), with their profiles, by name. ``user`` is not among them. A member who has not
    agreed to a circle's charter does not read its member list, so gets no peers from it."""
    circles = Circle.objects.readable_by(user).exclude(state=Circle.State.CLOSED).values("pk")
    peer_ids = Membership.objects.filter(circle__in=circles, state=Membership.State.ACTIVE).values(
        "user"
    )
    return (
        get_user_model()
        .objects.filter(pk__in=peer_ids, is_active=True)
        .exclude(pk=user.pk)
        .select_related("profile")
        .order_by("profile__display_name", "pk")
    )


def who_can_see(opportunity: Opportunity, users) -> set[int]:
    """The ids of those ``users`` who may see ``opportunity``: the queryset's own rule asked
    for every person at once, in one query, so it can never drift from the rule."""
    users = list(users)
    if not users:
        return set()
    asked = [
        Opportunity.objects.visible_to(user)
        .filter(pk=opportunity.pk)
        .order_by()
        .annotate(viewer=Value(user.pk, output_field=IntegerField()))
        .values("viewer")
        for user in users
    ]
    return set(asked[0].union(*asked[1:], all=True).values_list("viewer", flat=True))


def can_see(user, opportunity: Opportunity) -> bool:
    return Opportunity.objects.visible_to(user).filter(pk=opportunity.pk).exists()


def account_for_email(email: str):
    """The active account with this address, or None. Callers say the same thing whether
    nobody has the address or its owner may not take part, so that no page tells who has
    an account."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email.strip(), is_active=True)
        .select_related("profile")
        .first()
    )


def shown_title(opportunity: Opportunity, visible_ids: set[int]) -> str:
    return opportunity.title if opportunity.pk in visible_ids else HIDDEN_TITLE


def visible_opportunity_ids(user, opportunities) -> set[int]:
    """Which of these opportunities ``user`` may still see, in one query: a nominator who
    left the circle, or a letter writer outside it, reads no circle-only title."""
    ids = {opportunity.pk for opportunity in opportunities}
    return set(Opportunity.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


# --- "Your nominations" ------------------------------------------------------------------


@dataclass
class Row:
    """One line of a list: the nomination (or letter request) and the title this viewer
    may read."""

    item: Nomination | LetterRequest
    title: str


@dataclass
class MyNominations:
    waiting: list[Row] = field(default_factory=list)
    received: list[Row] = field(default_factory=list)
    made: list[Row] = field(default_factory=list)
    letters: list[Row] = field(default_factory=list)


def my_nominations(user) -> MyNominations:
    """The four sections of the page, in a fixed number of queries whatever their length."""
    received = list(
        Nomination.objects.filter(nominee=user).select_related("opportunity", "nominator__profile")
    )
    made = list(
        Nomination.objects.visible_to(user)
        .filter(nominator=user)
        .exclude(nominee=user)  # a self-nomination is listed once, as received
        .select_related("opportunity", "nominee__profile")
    )
    letters = list(letters_asked_of(user))
    opportunities = [n.opportunity for n in received + made]
    visible = visible_opportunity_ids(
        user, opportunities + [letter.nomination.opportunity for letter in letters]
    )
    return _sections(received, made, letters, visible)


def _sections(received, made, letters, visible: set[int]) -> MyNominations:
    page = MyNominations()
    for nomination in received:
        pending = nomination.response == Nomination.Response.PENDING
        section = page.waiting if pending else page.received
        section.append(Row(nomination, shown_title(nomination.opportunity, visible)))
    page.made = [Row(n, shown_title(n.opportunity, visible)) for n in made]
    page.letters = [Row(r, shown_title(r.nomination.opportunity, visible)) for r in letters]
    return page


def letters_asked_of(user):
    """Requests to ``user`` as a writer; those for a nomination its nominee declined are
    gone, as the nomination is."""
    return (
        LetterRequest.objects.filter(writer=user)
        .exclude(nomination__response=Nomination.Response.DECLINED)
        .select_related(
            "nomination__opportunity", "nomination__nominee__profile", "requested_by__profile"
        )
        .order_by("-created_at", "-pk")
    )


def letter_requests_of(nomination: Nomination):
    """The nomination's letter requests with their writers, for its nominee and nominator."""
    return nomination.letter_requests.select_related("writer__profile", "requested_by__profile")


def waiting_on(user) -> dict[str, int]:
    """For the member's home page, in one query: nominations waiting for their answer and
    letters they were asked for and have not marked written."""
    pending = Q(nominations_received__response=Nomination.Response.PENDING)
    unwritten = Q(letter_requests__state=LetterRequest.State.REQUESTED) & ~Q(
        letter_requests__nomination__response=Nomination.Response.DECLINED
    )
    return (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values("pk")
        .annotate(
            nominations=Count("nominations_received", filter=pending, distinct=True),
            letters=Count("letter_requests", filter=unwritten, distinct=True),
        )
        .values("nominations", "letters")
        .get()
    )

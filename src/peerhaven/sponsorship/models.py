"""Sponsorship: opportunities to put peers forward for, the nominations made for them, and
the supporting letters those nominations ask for.

Who sees what is decided here, in one place:

- An opportunity is seen by its audience (everyone signed in, an organization's people,
  a community's members, or a circle's current members who agreed to its charter), by
  whoever posted it, and by anyone nominated for it. A circle-only opportunity is circle
  content: staff and site admins outside the circle never see it, and its text is
  encrypted at rest.
- A nomination is seen by its nominee, and by its nominator unless the nominee declined
  it: a declined nomination disappears for everyone but the nominee.
- A statement is read by the nominator and the nominee only; letter writers see the
  request written to them, never the statement.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peerhaven.accounts.choices import CareerStage
from peerhaven.circles.models import Circle, Membership
from peerhaven.communities.models import Community, Member
from peerhaven.lib.crypto import EncryptedTextField
from peerhaven.orgs.models import Organization, StaffRole
from peerhaven.programs.models import Enrollment


class OpportunityQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Opportunities ``user`` may see (see the module's docstring)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(audience=Opportunity.Audience.EVERYONE)
            | Q(audience=Opportunity.Audience.ORGANIZATION, organization__in=organizations_of(user))
            | Q(audience=Opportunity.Audience.COMMUNITY, community__in=communities_of(user))
            | Q(audience=Opportunity.Audience.CIRCLE, circle__in=circles_of(user))
            | Q(posted_by=user)
            | Q(pk__in=Nomination.objects.filter(nominee=user).values("opportunity"))
        )

    def open(self):
        """Opportunities whose deadline has not passed (the deadline day itself is open)."""
        return self.filter(deadline__gte=timezone.localdate())


class Opportunity(models.Model):
    """Something a peer can be put forward for: an award, a talk, a role, a program."""

    class Kind(models.TextChoices):
        AWARD = "award", "Award or honour"
        PLENARY = "plenary", "Plenary or keynote talk"
        GRAND_ROUNDS = "grand_rounds", "Grand rounds"
        EDITORIAL = "editorial", "Reviewer or editorial-board role"
        VISITING_PROFESSORSHIP = "visiting_professorship", "Visiting professorship"
        LEADERSHIP = "leadership", "Committee or leadership position"
        GRANT = "grant", "Grant or career-development program"
        OTHER = "other", "Other"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone signed in to Peerhaven"
        ORGANIZATION = "organization", "People of an organization"
        COMMUNITY = "community", "Members of a community"
        CIRCLE = "circle", "Members of a circle"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    # Encrypted: a circle-only opportunity is circle content (see the module's docstring),
    # and one rule for every opportunity is simpler than two.
    title = EncryptedTextField()
    offered_by = EncryptedTextField("organization offering it", blank=True)
    description = EncryptedTextField(blank=True)
    # Career stages it is open to; empty means any stage.
    career_stages = models.JSONField(default=list, blank=True)
    eligibility = EncryptedTextField("other eligibility", blank=True)
    deadline = models.DateField()
    how_to_apply = EncryptedTextField("how to apply or nominate", blank=True)
    link = models.URLField(max_length=500, blank=True)
    self_nomination_allowed = models.BooleanField(default=False)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    # The organization that posted it (staff post on its behalf; its equity view counts
    # the nominations), or whose people see it when the audience is an organization.
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    circle = models.ForeignKey(
        "circles.Circle",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="opportunities",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="opportunities_posted",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name_plural = "opportunities"
        indexes = [models.Index(fields=["audience", "deadline"], name="opportunity_audience")]
        constraints = [
            models.CheckConstraint(
                name="opportunity_audience_has_its_group",
                condition=(
                    Q(audience="everyone")
                    | Q(audience="organization", organization__isnull=False)
                    | Q(audience="community", community__isnull=False)
                    | Q(audience="circle", circle__isnull=False)
                ),
            ),
            # A circle's opportunity and its nominations are the circle's business: no
            # organization counts them (its equity view reads the opportunities it posted).
            models.CheckConstraint(
                name="circle_opportunity_belongs_to_no_organization",
                condition=~Q(audience="circle") | Q(organization__isnull=True),
            ),
        ]

    def __str__(self):
        # Never the title: a circle-only opportunity's title is circle content.
        return f"Opportunity {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.deadline >= timezone.localdate()

    @property
    def career_stage_labels(self) -> list[str]:
        labels = dict(CareerStage.choices)
        return [labels.get(stage, stage) for stage in self.career_stages]


class Follow(models.Model):
    """A member watching an opportunity: a reminder goes out before its deadline."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="opportunity_follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "user"], name="one_follow_per_member")
        ]

    def __str__(self):
        return f"Follow of opportunity {self.opportunity_id} by {self.user_id}"


class NominationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Nominations ``user`` may see: received ones, and made ones not declined."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            Q(nominee=user) | (Q(nominator=user) & ~Q(response=Nomination.Response.DECLINED))
        )

    def put_forward(self):
        """Nominations that went further than a draft with the nominee's agreement: what
        an organization's equity view counts."""
        return self.filter(
            response=Nomination.Response.ACCEPTED,
            status__in=[
                Nomination.Status.SUBMITTED,
                Nomination.Status.SELECTED,
                Nomination.Status.NOT_SELECTED,
            ],
        )


class Nomination(models.Model):
    """One member putting a peer (or, where allowed, themself) forward for an opportunity."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SELECTED = "selected", "Selected"
        NOT_SELECTED = "not_selected", "Not selected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Response(models.TextChoices):
        PENDING = "pending", "Waiting for the nominee"
        ACCEPTED = "accepted", "Accepted by the nominee"
        DECLINED = "declined", "Declined by the nominee"

    # Where each status may go next; selected, not selected and withdrawn are final.
    NEXT_STATUSES = {
        Status.DRAFT: (Status.SUBMITTED, Status.WITHDRAWN),
        Status.SUBMITTED: (Status.SELECTED, Status.NOT_SELECTED, Status.WITHDRAWN),
        Status.SELECTED: (),
        Status.NOT_SELECTED: (),
        Status.WITHDRAWN: (),
    }

    opportunity = models.ForeignKey(
        Opportunity, on_delete=models.CASCADE, related_name="nominations"
    )
    nominee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nominations_received"
    )
    nominator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="nominations_made"
    )
    statement = EncryptedTextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    # The achievement the nominee added from it, once selected (at most one).
    achievement = models.OneToOneField(
        "outcomes.Achievement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nomination",
    )

    objects = NominationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two nominators may each put the same peer forward; one nominator only once.
            models.UniqueConstraint(
                fields=["opportunity", "nominee", "nominator"], name="one_nomination_per_nominator"
            ),
        ]

    def __str__(self):
        return f"Nomination {self.pk} for opportunity {self.opportunity_id}"

    @property
    def is_self_nomination(self) -> bool:
        return self.nominee_id == self.nominator_id

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """Statuses the nominator or nominee may move it to now: none until the nominee
        has accepted it."""
        if self.response != self.Response.ACCEPTED:
            return ()
        return self.NEXT_STATUSES[self.status]


class LetterRequest(models.Model):
    """A request to a circle member or colleague to write a supporting letter."""

    class State(models.TextChoices):
        REQUESTED = "requested", "Requested"
        DONE = "done", "Written"

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="letter_requests"
    )
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="letter_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # What the writer is asked for; written for the writer, so shown to them.
    note = EncryptedTextField(blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "writer"], name="one_request_per_writer")
        ]

    def __str__(self):
        return f"Letter request {self.pk} for nomination {self.nomination_id}"


def organizations_of(user):
    """The organizations whose people ``user`` counts among: a staff role there, an
    accepted place in one of its programs, or current membership of one of its circles or
    communities. A queryset of ids, for use inside other queries."""
    return Organization.objects.filter(
        Q(pk__in=StaffRole.objects.filter(user=user).values("organization"))
        | Q(
            pk__in=Enrollment.objects.filter(user=user, state=Enrollment.State.ACCEPTED).values(
                "program__organization"
            )
        )
        | Q(
            pk__in=Membership.objects.filter(user=user, state=Membership.State.ACTIVE).values(
                "circle__organization"
            )
        )
        | Q(
            pk__in=Member.objects.filter(user=user, state=Member.State.ACTIVE).values(
                "community__organization"
            )
        )
    ).values("pk")


def communities_of(user):
    """Communities ``user`` is an active member of: who sees a community's opportunities,
    and where a member may post one."""
    return Community.objects.filter(members__user=user, members__state=Member.State.ACTIVE)


def circles_of(user):
    """Circles whose content ``user`` reads: a member who has not agreed to the charter yet
    reads nothing of the circle but it. Who sees a circle's opportunities, and where a
    member may post one."""
    return Circle.objects.readable_by(user)

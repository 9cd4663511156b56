"""Circles: committed groups of at most eight peers, their charter, meetings and content.

Everything members write inside a circle (asks, advice notes, action items, messages, the
charter text, join-request notes) is an EncryptedTextField and is read only through
``access.py``: current members who agreed to the current charter."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peerhaven.lib.crypto import EncryptedTextField

MAX_CIRCLE_SIZE = 8
INVITATION_LIFETIME = dt.timedelta(days=14)
DEFAULT_RETENTION_DAYS = 90

DEFAULT_CHARTER = """\
1. Confidentiality: what is said in the circle stays in the circle.
2. We commit to attend consistently, and tell the group when we cannot.
3. Each of us brings a professional or personal problem in turn.
4. We listen fully and are present: phones away, cameras on where we can.
5. There is no hierarchy inside the circle, whatever our ranks outside it.
6. We offer support, not judgement.
7. The circle has at most 8 members."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A secret for a link and the hash we keep: a database dump cannot be replayed."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


class CircleQuerySet(models.QuerySet):
    def with_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            memberships__user=user, memberships__state=Membership.State.ACTIVE
        ).distinct()

    def readable_by(self, user):
        """Circles whose content ``user`` may read: a current member who has agreed to the
        current charter (or the circle has none yet), as ``access.circle_view`` requires."""
        if not user.is_authenticated:
            return self.none()
        charters = CharterVersion.objects.filter(circle=models.OuterRef("pk"))
        current = charters.order_by("-number").values("pk")[:1]
        agreed = CharterAgreement.objects.filter(version=models.OuterRef("charter_id"), user=user)
        return (
            self.with_member(user)
            .annotate(charter_id=models.Subquery(current))
            .filter(models.Q(charter_id__isnull=True) | models.Exists(agreed))
        )

    def with_member_count(self):
        """Each circle's number of current members, as ``member_count`` (a subquery, so it
        stays right after filters that join memberships)."""
        active = Membership.objects.filter(
            circle=models.OuterRef("pk"), state=Membership.State.ACTIVE
        )
        count = active.order_by().values("circle").annotate(n=models.Count("pk")).values("n")
        return self.annotate(member_count=models.functions.Coalesce(models.Subquery(count), 0))

    def open_to_requests(self):
        return self.filter(accepts_requests=True, state__in=Circle.JOINABLE_STATES)


class Circle(models.Model):
    class State(models.TextChoices):
        FORMING = "forming", "Forming"
        ACTIVE = "active", "Meeting"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    class Admission(models.TextChoices):
        EVERYONE = "everyone", "Everyone agrees"
        MAJORITY = "majority", "A majority agrees"

    class LocationKind(models.TextChoices):
        PLACE = "place", "A place"
        VIDEO_LINK = "video_link", "A video link"
        JITSI = "jitsi", "A Jitsi Meet room made for us"

    JOINABLE_STATES = (State.FORMING, State.ACTIVE)

    name = models.CharField(max_length=120)
    description = models.TextField(
        blank=True, help_text="Who the circle is for. Shown to people who may ask to join."
    )
    organization = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="circles"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.FORMING)
    size_cap = models.PositiveSmallIntegerField(
        default=MAX_CIRCLE_SIZE, validators=[MinValueValidator(2), MaxValueValidator(40)]
    )
    cap_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    admission_rule = models.CharField(
        max_length=10, choices=Admission.choices, default=Admission.EVERYONE
    )
    accepts_requests = models.BooleanField(
        "let colleagues ask to join",
        default=False,
        help_text="Lists the circle's name and description so colleagues can ask to join.",
    )
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    cadence = models.CharField(max_length=200, default="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH")
    first_meeting_on = models.DateField(null=True, blank=True)
    meeting_time = models.TimeField(default=dt.time(12, 0))
    duration_minutes = models.PositiveSmallIntegerField(
        default=60, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    location_kind = models.CharField(
        max_length=12, choices=LocationKind.choices, default=LocationKind.JITSI
    )
    location = models.CharField(max_length=300, blank=True)
    retention_days = models.PositiveSmallIntegerField(default=DEFAULT_RETENTION_DAYS)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CircleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(size_cap__lte=MAX_CIRCLE_SIZE) | Q(cap_override_by__isnull=False),
                name="circle_cap_needs_staff_override_above_eight",
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_established(self) -> bool:
        """Once a circle has met, new members need the current members' consent."""
        return self.state != self.State.FORMING

    @property
    def purge_after(self) -> dt.datetime | None:
        if self.closed_at is None:
            return None
        return self.closed_at + dt.timedelta(days=self.retention_days)

    def active_memberships(self):
        return self.memberships.filter(state=Membership.State.ACTIVE)

    def current_charter(self) -> CharterVersion | None:
        return self.charter_versions.order_by("-number").first()

    def open_invitations(self):
        return self.invitations.filter(
            state=Invitation.State.PENDING, expires_at__gt=timezone.now()
        )


class Membership(models.Model):
    class Role(models.TextChoices):
        CONVENER = "convener", "Convener"
        MEMBER = "member", "Member"

    class State(models.TextChoices):
        ACTIVE = "active", "Member"
        LEFT = "left", "Left"

    class Notify(models.TextChoices):
        EACH = "each", "An e-mail for each new message"
        DAILY = "daily", "A daily digest"
        NONE = "none", "No e-mail"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    notify = models.CharField(max_length=10, choices=Notify.choices, default=Notify.DAILY)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "user"],
                condition=Q(state="active"),
                name="one_active_membership_per_person",
            )
        ]

    def __str__(self):
        return f"{self.user} in {self.circle}"

    @property
    def is_convener(self) -> bool:
        return self.role == self.Role.CONVENER


class CharterVersion(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="charter_versions")
    number = models.PositiveIntegerField()
    rules = EncryptedTextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "number"], name="one_charter_per_number")
        ]

    def __str__(self):
        return f"Charter v{self.number} of circle {self.circle_id}"


class CharterAgreement(models.Model):
    """Who agreed to which version, and when: the record a circle can point to."""

    version = models.ForeignKey(CharterVersion, on_delete=models.CASCADE, related_name="agreements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    agreed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="one_agreement_per_version")
        ]

    def __str__(self):
        return f"{self.user_id} agreed to charter {self.version_id}"


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Withdrawn"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.email} to circle {self.circle_id}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.PENDING and self.expires_at > timezone.now()


class Admission(models.Model):
    """A proposal to add someone to an established circle, decided by the members' votes."""

    class State(models.TextChoices):
        VOTING = "voting", "Members are deciding"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Not approved"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="admissions")
    email = models.EmailField(help_text="The person to invite, or who asked to join.")
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    note = EncryptedTextField(blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_join_request = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VOTING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Admission of {self.email} to circle {self.circle_id}"


class AdmissionVote(models.Model):
    admission = models.ForeignKey(Admission, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    approve = models.BooleanField()
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["admission", "voter"], name="one_vote_per_member")
        ]

    def __str__(self):
        return f"Vote of {self.voter_id} on admission {self.admission_id}"


class MeetingQuerySet(models.QuerySet):
    def upcoming(self):
        return self.filter(ends_at__gt=timezone.now()).order_by("starts_at")

    def past(self):
        return self.filter(ends_at__lte=timezone.now()).order_by("-starts_at")

    def held(self):
        return self.filter(status=Meeting.Status.SCHEDULED)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="meetings")
    # The occurrence of the cadence this meeting stands for; moving a meeting changes
    # starts_at but not this, so regenerating the series never duplicates it.
    series_start = models.DateTimeField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0)
    location = models.CharField(max_length=300, blank=True)
    checkin_started_at = models.DateTimeField(null=True, blank=True)
    # Once the convener orders the agenda by hand, new asks are added at the end of it.
    agenda_reordered = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "series_start"], name="one_meeting_per_occurrence"
            )
        ]

    def __str__(self):
        return f"Meeting of circle {self.circle_id} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_ended(self) -> bool:
        return self.ends_at <= timezone.now()


class Ask(models.Model):
    """A problem a member brings to the circle for advice."""

    class Kind(models.TextChoices):
        PROFESSIONAL = "professional", "Professional"
        PERSONAL = "personal", "Personal"

    class HelpWanted(models.TextChoices):
        ADVICE = "advice", "Advice on what to do"
        SOUNDING_BOARD = "sounding_board", "A sounding board: listen and ask questions"
        CONTACTS = "contacts", "Contacts or resources"
        FEEDBACK = "feedback", "Feedback on something I wrote or plan"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="asks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="asks"
    )
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.PROFESSIONAL)
    help_wanted = models.CharField(
        max_length=20, choices=HelpWanted.choices, default=HelpWanted.ADVICE
    )
    title = EncryptedTextField()
    context = EncryptedTextField(blank=True)
    report_back = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    presented_at = models.DateTimeField(null=True, blank=True)
    # Encrypted text cannot be queried, so "has reported back" is kept as its own column.
    reported_back_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Ask {self.pk} in circle {self.circle_id}"  # never the title: it is confidential


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    ask = models.OneToOneField(Ask, on_delete=models.CASCADE, related_name="agenda_item")
    position = models.PositiveSmallIntegerField()
    minutes = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"Agenda item {self.position} of meeting {self.meeting_id}"

    @property
    def deadline(self) -> dt.datetime | None:
        if self.started_at is None:
            return None
        return self.started_at + dt.timedelta(minutes=self.minutes)


class Note(models.Model):
    """Advice captured against an ask during the meeting."""

    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note {self.pk} on ask {self.ask_id}"


class ActionItem(models.Model):
    ask = models.ForeignKey(Ask, on_delete=models.CASCADE, related_name="action_items")
    text = EncryptedTextField()
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Action item {self.pk} on ask {self.ask_id}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"
        EXCUSED = "excused", "Excused (told the group)"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    nudged = models.BooleanField(default=False, help_text="A kind nudge was sent for this absence.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="one_attendance_per_meeting")
        ]

    def __str__(self):
        return f"{self.user_id} {self.status} at meeting {self.meeting_id}"


class Message(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Message {self.pk} in circle {self.circle_id}"


class CalendarFeed(models.Model):
    """A member's secret calendar URL. Only the hash is kept; a new one revokes the old."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Calendar feed of {self.user_id}"

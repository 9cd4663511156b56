"""Programs: an organization's cohort, its enrolment, and the matching runs that form its
circles and peer pairs. Staff see people, states and numbers; never circle content."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from peerhaven.circles.models import DEFAULT_CHARTER, MAX_CIRCLE_SIZE
from peerhaven.lib.crypto import EncryptedTextField
from peerhaven.orgs.models import StaffRole

MANAGING_ROLES = (StaffRole.Role.ADMIN, StaffRole.Role.COORDINATOR)
STAFF_ROLES = (*MANAGING_ROLES, StaffRole.Role.FACILITATOR, StaffRole.Role.RESEARCHER)


class ProgramQuerySet(models.QuerySet):
    def staffed_by(self, user, roles=STAFF_ROLES):
        """Programs of the organizations where ``user`` holds one of ``roles``."""
        if not user.is_authenticated:
            return self.none()
        orgs = StaffRole.objects.filter(user=user, role__in=roles).values("organization")
        return self.filter(organization__in=orgs)

    def open_for_applications(self):
        return self.filter(applications_open=True)


class Program(models.Model):
    class Kind(models.TextChoices):
        FACULTY_DEVELOPMENT = "faculty_development", "Faculty-development program"
        TRAINEE = "trainee", "Trainee program"
        TRAINING_GRANT = "training_grant", "Training-grant cohort (K12, KL2, …)"
        SOCIETY = "society", "Professional-society program"

    class Format(models.TextChoices):
        CIRCLES = "circles", "Circles"
        PAIRS = "pairs", "Peer pairs"
        BOTH = "both", "Circles and peer pairs"

    class Modality(models.TextChoices):
        VIRTUAL = "virtual", "Virtual"
        IN_PERSON = "in_person", "In person, by region"
        MIXED = "mixed", "Mixed"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.PROTECT, related_name="programs"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.FACULTY_DEVELOPMENT)
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.CIRCLES)
    min_group_size = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(2), MaxValueValidator(MAX_CIRCLE_SIZE)]
    )
    max_group_size = models.PositiveSmallIntegerField(
        default=8, validators=[MinValueValidator(2), MaxValueValidator(MAX_CIRCLE_SIZE)]
    )
    modality = models.CharField(max_length=10, choices=Modality.choices, default=Modality.VIRTUAL)
    cadence = models.CharField(max_length=200, default="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH")
    meeting_time = models.TimeField(default=dt.time(12, 0))
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    charter = models.TextField(default=DEFAULT_CHARTER)
    policy = models.JSONField(default=dict, blank=True)
    applications_open = models.BooleanField(
        "open application page",
        default=False,
        help_text="Anyone signed in can find the program and apply.",
    )
    join_token_hash = models.CharField(max_length=64, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_programs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_group_size__lte=models.F("max_group_size")),
                name="program_group_size_range_is_ordered",
            )
        ]

    def __str__(self):
        return self.name


class IntakeQuestion(models.Model):
    """A question staff add to the program's intake form."""

    class Kind(models.TextChoices):
        TEXT = "text", "Free text"
        CHOICE = "choice", "One choice from a list"
        SCALE = "scale", "A scale from 1 to 5"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    prompt = models.CharField(max_length=300)
    choices = models.TextField(blank=True, help_text="For a choice question: one option per line.")
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.prompt

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class EnrollmentQuerySet(models.QuerySet):
    def active(self):
        """People the program counts on: accepted, or applied and waiting for a decision."""
        return self.filter(state__in=[Enrollment.State.APPLIED, Enrollment.State.ACCEPTED])


class Enrollment(models.Model):
    class State(models.TextChoices):
        INVITED = "invited", "Invited"
        APPLIED = "applied", "Applied"
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "Waitlisted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    email = models.EmailField()
    name = models.CharField(max_length=160)
    state = models.CharField(max_length=12, choices=State.choices, default=State.INVITED)
    reason = models.CharField(max_length=300, blank=True, help_text="Why it is in this state.")
    answers = models.JSONField(default=dict, blank=True)
    # Names a member does not want to be grouped with: private, read only by matching.
    keep_apart_from = EncryptedTextField(blank=True)
    roster_fingerprint = models.CharField(max_length=64, blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["program", "email"], name="one_enrollment_per_address")
        ]

    def __str__(self):
        return f"{self.name} in {self.program}"


class MatchingRun(models.Model):
    """One proposal of groups (or pairs) for a program. Runs are never changed once they
    finish: an adjustment by staff is a new run whose ``parent`` is the one adjusted, so
    every version can be compared and gone back to."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Ready to review"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField()
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="adjustments"
    )
    note = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.FloatField(default=0.0)
    status_message = models.CharField(max_length=300, blank=True)
    cancel_requested = models.BooleanField(default=False)
    policy = models.JSONField(default=dict)
    result = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["program", "number"], name="one_run_per_number")
        ]

    def __str__(self):
        return f"Run {self.number} of {self.program}"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED, self.State.CANCELLED)


class ProgramCircle(models.Model):
    """A circle a program formed: the link lives here so circles know nothing of programs."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="program_circles")
    circle = models.OneToOneField(
        "circles.Circle", on_delete=models.CASCADE, related_name="program_link"
    )
    run = models.ForeignKey(MatchingRun, null=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(max_length=60)

    def __str__(self):
        return f"{self.label} of {self.program}"


class PeerPair(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairs")
    run = models.ForeignKey(MatchingRun, null=True, on_delete=models.SET_NULL, related_name="+")
    first = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    shared_slot = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Pair {self.pk} of {self.program}"

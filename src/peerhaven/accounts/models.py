from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.text import slugify

from peerhaven.accounts import availability
from peerhaven.accounts.choices import CareerStage, MeetingPreference, Specialty, Track
from peerhaven.lib.crypto import EncryptedTextField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their e-mail address. What they tell peers about
    themselves lives on their Profile."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the site admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        profile = getattr(self, "profile", None)
        if profile is not None and profile.display_name:
            return profile.display_name
        return self.email.split("@")[0]


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone we know. Pick one from the list.")


EARLIEST_RANK_YEAR = 1950


def validate_rank_year(year: int) -> None:
    this_year = timezone.now().year
    if not EARLIEST_RANK_YEAR <= year <= this_year:
        raise ValidationError(f"Enter a year between {EARLIEST_RANK_YEAR} and {this_year}.")


def validate_availability(value: object) -> None:
    if not isinstance(value, list) or not all(availability.is_valid_slot(s) for s in value):
        raise ValidationError("Availability must be a list of weekly half-hour slots.")


class Interest(models.Model):
    """A research or clinical interest tag shared across profiles, e.g. “medical education”."""

    name = models.CharField(max_length=60)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def from_names(cls, names: list[str]) -> list[Interest]:
        interests = []
        for name in names:
            interest, _ = cls.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            interests.append(interest)
        return interests


class Profile(models.Model):
    """What a member tells peers and programs about their academic life.

    Sensitive self-description is kept apart, in SelfDescription, behind consent."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    display_name = models.CharField("name", max_length=120)
    pronouns = models.CharField(max_length=40, blank=True)
    career_stage = models.CharField(max_length=30, choices=CareerStage.choices, blank=True)
    rank_since_year = models.PositiveSmallIntegerField(
        "year you entered your current rank",
        null=True,
        blank=True,
        validators=[validate_rank_year],
    )
    track = models.CharField(max_length=30, choices=Track.choices, blank=True)
    institution = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=120, blank=True)
    specialty = models.CharField(max_length=40, choices=Specialty.choices, blank=True)
    specialty_other = models.CharField("other specialty", max_length=120, blank=True)
    interests = models.ManyToManyField(Interest, blank=True, related_name="profiles")
    interests_text = models.TextField("more about your interests", blank=True)
    goals = models.TextField("what you hope to get from peer mentoring", blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField("state or region", max_length=100, blank=True)
    country = models.CharField(max_length=100, blank=True)
    meeting_preference = models.CharField(
        max_length=20, choices=MeetingPreference.choices, default=MeetingPreference.EITHER
    )
    availability = models.JSONField(default=list, blank=True, validators=[validate_availability])
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.display_name or self.user.email

    REQUIRED_FOR_MATCHING = ("display_name", "career_stage", "department", "time_zone")

    @property
    def missing_fields(self) -> list[str]:
        missing = [
            str(self._meta.get_field(name).verbose_name)
            for name in self.REQUIRED_FOR_MATCHING
            if not getattr(self, name)
        ]
        if not self.availability:
            missing.append("weekly availability")
        return missing

    @property
    def is_complete(self) -> bool:
        return not self.missing_fields

    @property
    def specialty_label(self) -> str:
        if self.specialty == Specialty.OTHER and self.specialty_other:
            return self.specialty_other
        return self.get_specialty_display()

    def availability_ranges(self) -> list[str]:
        return availability.weekly_ranges(self.availability)

    def availability_hours(self) -> float:
        return availability.hours_per_week(self.availability)


class Separation(models.Model):
    """Someone a member must not share a confidential group with: their supervisor or one of
    their direct reports. Kept by e-mail so it holds even before that person joins; seen
    only by the member who entered it and used only by matching."""

    class Relation(models.TextChoices):
        SUPERVISOR = "supervisor", "My supervisor"
        DIRECT_REPORT = "direct_report", "My direct report"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="separations"
    )
    relation = models.CharField(max_length=20, choices=Relation.choices)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["relation", "email"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "email"], name="one_separation_per_person")
        ]

    def __str__(self):
        return f"{self.get_relation_display()}: {self.email}"


def separated_user_ids(user) -> set[int]:
    """Everyone who must stay apart from ``user``, whichever of the two entered the link."""
    named_by_user = User.objects.filter(
        email__in=Separation.objects.filter(owner=user).values("email")
    ).values_list("id", flat=True)
    naming_user = Separation.objects.filter(email__iexact=user.email).values_list(
        "owner_id", flat=True
    )
    return set(named_by_user) | set(naming_user)


class SensitiveAttribute(models.TextChoices):
    GENDER = "gender", "Gender"
    UNDER_REPRESENTED = "under_represented", "Member of a group under-represented in medicine"
    FIRST_GENERATION = "first_generation", "First in my family to attend college"
    CAREGIVER = "caregiver", "Caregiving"
    DUAL_CAREER = "dual_career", "Dual-career partnership"


SENSITIVE_VALUES: dict[str, list[tuple[str, str]]] = {
    SensitiveAttribute.GENDER: [
        ("woman", "Woman"),
        ("man", "Man"),
        ("non_binary", "Non-binary"),
        ("another", "Another gender identity"),
    ],
    SensitiveAttribute.UNDER_REPRESENTED: [("yes", "Yes"), ("no", "No")],
    SensitiveAttribute.FIRST_GENERATION: [("yes", "Yes"), ("no", "No")],
    SensitiveAttribute.CAREGIVER: [
        ("children", "I care for children"),
        ("parents", "I care for parents or other adults"),
        ("both", "Both children and parents (“sandwich generation”)"),
        ("none", "No caregiving responsibilities"),
    ],
    SensitiveAttribute.DUAL_CAREER: [("yes", "Yes"), ("no", "No")],
}


class SensitiveVisibility(models.TextChoices):
    ONLY_ME = "only_me", "Only me"
    MY_CIRCLES = "my_circles", "Members of my circles"
    PROGRAM_STAFF = "program_staff", "Staff of programs I join"


class SensitiveConsent(models.Model):
    """The member's explicit agreement to store sensitive self-description at all.
    Withdrawing it deletes every SelfDescription row (see actions.do_withdraw_sensitive_consent)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sensitive_consent"
    )
    given_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Consent of {self.user_id} at {self.given_at:%Y-%m-%d}"


class SelfDescription(models.Model):
    """One optional, consent-gated statement about oneself, encrypted at rest.

    Shown to nobody but the member unless they chose otherwise, used by matching only when
    ``matching_allowed``, and reported only in suppressed aggregates."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_descriptions"
    )
    attribute = models.CharField(max_length=30, choices=SensitiveAttribute.choices)
    value = EncryptedTextField()
    visibility = models.CharField(
        max_length=20, choices=SensitiveVisibility.choices, default=SensitiveVisibility.ONLY_ME
    )
    matching_allowed = models.BooleanField(default=False)
    # Whether de-identified research exports may carry it, as a coarse category only.
    research_allowed = models.BooleanField(default=False)
    # Whether an organization's sponsorship equity view may count it (gender and
    # under-represented status only), in aggregates of five or more. A consent of its own:
    # agreeing to research exports or matching says nothing about who sees equity reports.
    equity_allowed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["attribute"]
        constraints = [
            models.UniqueConstraint(fields=["user", "attribute"], name="one_value_per_attribute")
        ]

    def __str__(self):
        # Never the value: this string can end up in logs and admin pages.
        return f"{self.get_attribute_display()} of user {self.user_id}"

    @property
    def value_label(self) -> str:
        return dict(SENSITIVE_VALUES[self.attribute]).get(self.value, self.value)

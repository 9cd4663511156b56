"""Outcomes: each member's achievements, program surveys and the research exports made
from them. Staff and researchers only ever see aggregates (see ``disclosure.py``); survey
responses carry a pseudonym, never a user."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from peerhaven.lib.crypto import EncryptedTextField


class Achievement(models.Model):
    """One entry in a member's own log of academic achievements."""

    class Kind(models.TextChoices):
        PUBLICATION = "publication", "Peer-reviewed publication"
        BOOK_CHAPTER = "book_chapter", "Book chapter"
        ABSTRACT = "abstract", "Abstract"
        POSTER = "poster", "Poster"
        INVITED_TALK = "invited_talk", "Invited talk"
        GRANT_SUBMITTED = "grant_submitted", "Grant submitted"
        GRANT_AWARDED = "grant_awarded", "Grant awarded"
        AWARD = "award", "Award or honour"
        PROMOTION = "promotion", "Promotion"
        LEADERSHIP = "leadership", "Leadership role"
        COMMITTEE = "committee", "Committee or editorial role"
        VISITING_PROFESSORSHIP = "visiting_professorship", "Visiting professorship"
        NOMINATION_RECEIVED = "nomination_received", "Nomination received"

    class Sharing(models.TextChoices):
        AGGREGATE = "aggregate", "Counted in my programs' totals, never listed by name"
        PRIVATE = "private", "Only me: not counted anywhere"

    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        BIBTEX = "bibtex", "BibTeX file"
        RIS = "ris", "RIS file"
        PUBMED = "pubmed", "PubMed export"
        ORCID = "orcid", "ORCID works export"
        NOMINATION = "nomination", "Sponsorship nomination"

    class DatePrecision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="achievements"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = models.DateField()
    # Imports often know only the year: the date is then 1 January and shown as the year.
    date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    title = models.CharField(max_length=500)
    venue = models.CharField(
        max_length=300, blank=True, help_text="Journal, meeting, funder or organization."
    )
    details = models.TextField(blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    pmid = models.CharField("PMID", max_length=20, blank=True)
    # Lower-cased title without punctuation: with the year, how a duplicate without
    # identifiers is recognised.
    title_key = models.CharField(max_length=500, editable=False)
    sharing = models.CharField(
        "what your programs may count",
        max_length=10,
        choices=Sharing.choices,
        default=Sharing.AGGREGATE,
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "title"]
        indexes = [models.Index(fields=["user", "title_key"], name="achievement_title_key")]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "doi"], condition=~Q(doi=""), name="one_achievement_per_doi"
            ),
            models.UniqueConstraint(
                fields=["user", "pmid"], condition=~Q(pmid=""), name="one_achievement_per_pmid"
            ),
        ]

    def __str__(self):
        return self.title


class Instrument(models.Model):
    """A questionnaire. Built-in instruments (no organization) were written for Peerhaven;
    an organization's staff can build their own."""

    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="instruments",
    )
    key = models.SlugField(max_length=60, blank=True, help_text="Built-in instruments only.")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~Q(key=""), name="one_builtin_instrument_per_key"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_builtin(self) -> bool:
        return self.organization_id is None


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", "Scale (1 to 5)"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        NUMBER = "number", "Number"
        TEXT = "text", "Free text"

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    # The variable name in research exports and the REDCap data dictionary.
    key = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prompt = models.CharField(max_length=300)
    choices = models.TextField(blank=True, help_text="For choice questions: one option per line.")
    low_label = models.CharField(max_length=60, blank=True)
    high_label = models.CharField(max_length=60, blank=True)
    min_value = models.FloatField(null=True, blank=True)
    max_value = models.FloatField(null=True, blank=True)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="one_question_per_key")
        ]

    def __str__(self):
        return self.prompt

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Wave(models.Model):
    """One administration of an instrument to a program's members, e.g. "6 months"."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="survey_waves"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="waves")
    label = models.CharField(max_length=80)
    # Months since the program started: 0 is the baseline. Paired changes compare waves.
    months_after_start = models.PositiveSmallIntegerField(default=0)
    opens_on = models.DateField()
    closes_on = models.DateField()
    invitations_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("closes_on")), name="wave_opens_before_closing"
            )
        ]

    def __str__(self):
        return f"{self.label} of {self.program}"


class WaveInvitation(models.Model):
    """That a member was asked to answer a wave and whether they have. It says nothing of
    what they answered: responses are kept apart, under a pseudonym."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="wave_invitations"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "user"], name="one_invitation_per_wave")
        ]

    def __str__(self):
        return f"Invitation {self.pk} to {self.wave}"


class Response(models.Model):
    """One member's answers to one wave, under a pseudonym that links the same member's
    responses across a program's waves (``pseudonyms.py``) and nothing else. Only the date
    is kept, so submission times cannot be matched to invitations."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    pseudonym = models.CharField(max_length=32)
    submitted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wave", "pseudonym"], name="one_response_per_wave")
        ]

    def __str__(self):
        return f"Response {self.pk} to {self.wave}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # A number (scale, number), a choice, or a list of choices; free text lives in ``text``.
    value = models.JSONField(null=True, blank=True)
    text = EncryptedTextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"Answer {self.pk}"


class ResearchExport(models.Model):
    """A record of every de-identified dataset a researcher downloaded: who, when, what."""

    program = models.ForeignKey(
        "programs.Program", on_delete=models.PROTECT, related_name="research_exports"
    )
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="research_exports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    contents = models.CharField(max_length=300, help_text="Which tables and waves.")
    rows = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Export {self.pk} of {self.program}"

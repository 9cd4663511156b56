"""The de-identified research dataset of a program, and its REDCap data dictionary.

One row per accepted participant, keyed by ``record_id``: the same pseudonym their survey
responses carry (``pseudonyms.py``), so answers join without a name. What is left out, and
why, is spelled out in ``README_TEXT`` (shipped in the ZIP) and on the export page:

- no names, e-mail addresses, institution, department or any free text (text answers,
  "other specialty"), and no exact dates: months (YYYY-MM) and calendar years relative to
  the program's start instead;
- sensitive self-description only for members who consented to storing it and allowed
  research use of that attribute, and only as a coarse category;
- a category of a participant attribute held by fewer than ``SMALLEST_CATEGORY`` exported
  participants is left blank, so a rare combination cannot single out one person.

The functions here read (a fixed handful of queries, whatever the number of participants)
and return plain data; ``export_actions.py`` writes the files and the log row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Subquery, prefetch_related_objects
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.text import slugify

from peerhaven.accounts.choices import CareerStage, Specialty, Track
from peerhaven.accounts.models import SelfDescription, SensitiveAttribute
from peerhaven.lib.disclosure import SMALLEST_SHOWN
from peerhaven.outcomes.models import Achievement, Answer, Question, Response, Wave
from peerhaven.outcomes.pseudonyms import pseudonym
from peerhaven.outcomes.redcap import (
    DICTIONARY_HEADER,
    Field,
    data_header,
    redcap_name,
    unique_name,
)
from peerhaven.programs.models import Enrollment

# The same threshold as every figure shown to staff: fewer than five people is too few.
SMALLEST_CATEGORY = SMALLEST_SHOWN
FORM_NAME_LIMIT = 40
YEARS_BEFORE_START = 3
MOST_YEARS_AFTER_START = 10

MONTH_NOTE = "YYYY-MM (dates are coarsened to the month)"


@dataclass(frozen=True)
class Contents:
    """What the researcher asked for."""

    participants: bool = True
    waves: tuple[Wave, ...] = ()
    achievements: bool = True

    def describe(self) -> str:
        parts = ["participants"] if self.participants else []
        if self.waves:
            parts.append("survey waves: " + ", ".join(w.label for w in self.waves))
        if self.achievements:
            parts.append("achievement counts")
        text = "; ".join(parts)
        return text if len(text) <= 300 else text[:299] + "…"


@dataclass
class Dataset:
    fields: list[Field]
    # Survey forms: each gets REDCap's own form-status column, ``<form>_complete``.
    status_forms: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)

    def header(self) -> list[str]:
        return data_header(self.fields, self.status_forms)


# --- Names ----------------------------------------------------------------------------


def wave_suffixes(waves: Iterable[Wave]) -> dict[int, str]:
    """``w<months after start>`` per wave; a second wave at the same month gets ``b``…"""
    suffixes: dict[int, str] = {}
    used: Counter[int] = Counter()
    for wave in waves:
        count = used[wave.months_after_start]
        letter = "" if count == 0 else "bcdefghijklmnopqrstuvwxyz"[min(count - 1, 24)]
        suffixes[wave.pk] = f"w{wave.months_after_start}{letter}"
        used[wave.months_after_start] += 1
    return suffixes


# --- Participants ---------------------------------------------------------------------

RANK_BANDS = ((0, 1, "Less than 2 years"), (2, 4, "2–4 years"), (5, 9, "5–9 years"))
RANK_BANDS += ((10, 19, "10–19 years"), (20, 200, "20 years or more"))

# Sensitive self-description, coarsened: the value stored → the exported code.
COARSE_GENDER = {"woman": 1, "man": 2, "non_binary": 3, "another": 3}
COARSE_YES_NO = {"yes": 1, "no": 0}
COARSE_CAREGIVER = {"children": 1, "parents": 1, "both": 1, "none": 0}
SENSITIVE_FIELDS = {
    SensitiveAttribute.GENDER: ("gender", COARSE_GENDER),
    SensitiveAttribute.UNDER_REPRESENTED: ("under_represented", COARSE_YES_NO),
    SensitiveAttribute.FIRST_GENERATION: ("first_generation", COARSE_YES_NO),
    SensitiveAttribute.CAREGIVER: ("caregiver", COARSE_CAREGIVER),
    SensitiveAttribute.DUAL_CAREER: ("dual_career", COARSE_YES_NO),
}
CONSENT_NOTE = "Blank unless the member consented to research use of this answer."


def _coded(choices) -> tuple[tuple[int, str], ...]:
    return tuple((position, label) for position, (_value, label) in enumerate(choices, 1))


def participant_fields(include_details: bool) -> list[Field]:
    record_id = Field("record_id", "participant", "text", "Pseudonymous participant ID")
    if not include_details:
        return [record_id]
    bands = tuple((n, label) for n, (_low, _high, label) in enumerate(RANK_BANDS, 1))
    sensitive_section = "Self-description (coarse categories; only with the member's consent)"
    yes_no = "Yes (1) or no (0)"
    return [
        record_id,
        Field("enrolled_month", "participant", "text", "Month of application", note=MONTH_NOTE),
        Field("career_stage", "participant", "radio", "Career stage", _coded(CareerStage.choices)),
        Field("track", "participant", "radio", "Track", _coded(Track.choices)),
        Field("specialty", "participant", "radio", "Specialty", _coded(Specialty.choices)),
        Field(
            "years_in_rank",
            "participant",
            "radio",
            "Years in current rank when the program started",
            bands,
        ),
        Field(
            "gender",
            "participant",
            "radio",
            "Gender",
            ((1, "Woman"), (2, "Man"), (3, "Another gender identity, including non-binary")),
            note=CONSENT_NOTE,
            section=sensitive_section,
        ),
        Field(
            "under_represented",
            "participant",
            "yesno",
            "Member of a group under-represented in medicine",
            note=f"{yes_no}. {CONSENT_NOTE}",
        ),
        Field(
            "first_generation",
            "participant",
            "yesno",
            "First in family to attend college",
            note=f"{yes_no}. {CONSENT_NOTE}",
        ),
        Field(
            "caregiver",
            "participant",
            "yesno",
            "Has caregiving responsibilities (children, adults or both)",
            note=f"{yes_no}. {CONSENT_NOTE}",
        ),
        Field(
            "dual_career",
            "participant",
            "yesno",
            "In a dual-career partnership",
            note=f"{yes_no}. {CONSENT_NOTE}",
        ),
    ]


# Columns whose rare categories are withheld (quasi-identifiers and sensitive categories).
SUPPRESSED_WHEN_RARE = (
    "career_stage",
    "track",
    "specialty",
    "years_in_rank",
    *(name for name, _ in SENSITIVE_FIELDS.values()),
)


def waves_for_export(program):
    """The program's waves with their instruments, in the order they ran."""
    return (
        Wave.objects.filter(program=program)
        .select_related("instrument")
        .order_by("months_after_start", "opens_on", "pk")
    )


def accepted_participants(program):
    return Enrollment.objects.filter(
        program=program, state=Enrollment.State.ACCEPTED, user__isnull=False
    )


def _participant_rows(program) -> dict[int, dict[str, str]]:
    """user id → the participant columns, read in one query (no name, e-mail, department
    or free text is even selected)."""
    rows: dict[int, dict[str, str]] = {}
    selected = accepted_participants(program).values_list(
        "user_id",
        "applied_at",
        "invited_at",
        "user__profile__career_stage",
        "user__profile__track",
        "user__profile__specialty",
        "user__profile__rank_since_year",
    )
    positions = {
        "career_stage": _positions(CareerStage.choices),
        "track": _positions(Track.choices),
        "specialty": _positions(Specialty.choices),
    }
    for user_id, applied_at, invited_at, stage, track, specialty, rank_year in selected:
        rows[user_id] = {
            "enrolled_month": _month(applied_at or invited_at),
            "career_stage": positions["career_stage"].get(stage or "", ""),
            "track": positions["track"].get(track or "", ""),
            "specialty": positions["specialty"].get(specialty or "", ""),
            "years_in_rank": _rank_band(program.starts_on.year, rank_year),
        }
    return rows


def _positions(choices) -> dict[str, str]:
    return {value: str(position) for position, (value, _label) in enumerate(choices, 1)}


def _month(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment, dt.UTC)
    return f"{moment:%Y-%m}"


def _rank_band(start_year: int, rank_year: int | None) -> str:
    if not rank_year:
        return ""
    years = max(start_year - rank_year, 0)
    for position, (low, high, _label) in enumerate(RANK_BANDS, 1):
        if low <= years <= high:
            return str(position)
    return ""


def _sensitive_columns(program) -> dict[int, dict[str, str]]:
    """user id → coarse sensitive categories, only where the member consented to storing
    them and allowed research use of that attribute."""
    consented = SelfDescription.objects.filter(
        user_id__in=Subquery(accepted_participants(program).values("user_id")),
        user__sensitive_consent__isnull=False,
        research_allowed=True,
    ).values_list("user_id", "attribute", "value")
    columns: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, attribute, value in consented:
        name, coarse = SENSITIVE_FIELDS[attribute]
        code = coarse.get(value)
        if code is not None:
            columns[user_id][name] = str(code)
    return columns


def withhold_rare_categories(rows: list[dict[str, str]], columns: Iterable[str]) -> None:
    """Blank every category that fewer than SMALLEST_CATEGORY rows share."""
    for column in columns:
        counts = Counter(row.get(column, "") for row in rows)
        rare = {value for value, n in counts.items() if value and n < SMALLEST_CATEGORY}
        for row in rows:
            if row.get(column, "") in rare:
                row[column] = ""


# --- Survey waves ---------------------------------------------------------------------


def _question_field(question: Question, name: str, form: str, section: str) -> Field:
    kind = question.kind
    label = question.prompt
    if kind == Question.Kind.LIKERT:
        labels = {1: question.low_label, 5: question.high_label}
        choices = tuple(
            (n, f"{n} {labels[n]}".strip() if labels.get(n) else str(n)) for n in range(1, 6)
        )
        return Field(name, form, "radio", label, choices, section=section)
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        choices = tuple(enumerate(question.choice_list, 1))
        field_type = "radio" if kind == Question.Kind.SINGLE else "checkbox"
        return Field(name, form, field_type, label, choices, section=section)
    return Field(
        name,
        form,
        "text",
        label,
        validation="number",
        minimum=_number(question.min_value),
        maximum=_number(question.max_value),
        section=section,
    )


def _number(value) -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _answer_columns(question: Question, item: Field, value) -> dict[str, str]:
    """The coded columns of one answer; anything malformed is left blank, never guessed."""
    kind = question.kind
    if kind == Question.Kind.LIKERT:
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5
        return {item.name: str(value) if ok else ""}
    if kind == Question.Kind.NUMBER:
        return {item.name: _number(value)}
    codes = {label: code for code, label in item.choices}
    if kind == Question.Kind.SINGLE:
        return {item.name: str(codes.get(value, "")) if isinstance(value, str) else ""}
    picked = value if isinstance(value, list) else []
    chosen = {codes[v] for v in picked if isinstance(v, str) and v in codes}
    return {f"{item.name}___{code}": "1" if code in chosen else "0" for code, _ in item.choices}


@dataclass
class _WavePlan:
    wave: Wave
    form: str
    month_field: Field
    items: list[tuple[Question, Field]]

    @property
    def fields(self) -> list[Field]:
        return [self.month_field, *(item for _question, item in self.items)]


def _wave_plans(waves: Iterable[Wave], taken: set[str]) -> list[_WavePlan]:
    waves = list(waves)
    prefetch_related_objects(waves, "instrument__questions")  # one query for all waves
    suffixes = wave_suffixes(waves)
    plans = []
    for wave in waves:
        suffix = suffixes[wave.pk]
        instrument = wave.instrument.key or wave.instrument.name
        form = f"{redcap_name(instrument, FORM_NAME_LIMIT - len(suffix) - 1)}_{suffix}"
        section = f"{wave.label} ({wave.months_after_start} months after the start)"
        month = Field(
            unique_name("responded", suffix, taken),
            form,
            "text",
            "Month the response was submitted",
            note=MONTH_NOTE,
            section=section,
        )
        taken.add(f"{form}_complete")
        items = [
            (q, _question_field(q, unique_name(redcap_name(q.key), suffix, taken), form, ""))
            for q in wave.instrument.questions.all()
            if q.kind != Question.Kind.TEXT  # free text never leaves Peerhaven
        ]
        plans.append(_WavePlan(wave, form, month, items))
    return plans


def _wave_columns(plans: list[_WavePlan]) -> dict[str, dict[str, str]]:
    """pseudonym → the survey columns of every chosen wave, in two queries."""
    responses = Response.objects.filter(wave__in=[p.wave for p in plans]).values_list(
        "pk", "wave_id", "pseudonym", "submitted_on"
    )
    by_response: dict[int, tuple[str, _WavePlan]] = {}
    columns: dict[str, dict[str, str]] = defaultdict(dict)
    plan_of = {plan.wave.pk: plan for plan in plans}
    for response_id, wave_id, alias, submitted_on in responses:
        plan = plan_of[wave_id]
        by_response[response_id] = (alias, plan)
        columns[alias][plan.month_field.name] = _month(submitted_on)
        columns[alias][f"{plan.form}_complete"] = "2"
    # Two waves of one instrument share its questions: each answer is read by its wave.
    items = {plan.wave.pk: {q.pk: (q, item) for q, item in plan.items} for plan in plans}
    question_ids = {q.pk for plan in plans for q, _item in plan.items}
    answers = Answer.objects.filter(
        response__wave__in=[p.wave for p in plans], question_id__in=question_ids
    ).values_list("response_id", "question_id", "value")  # never ``text``
    for response_id, question_id, value in answers:
        alias, plan = by_response[response_id]
        question, item = items[plan.wave.pk][question_id]
        columns[alias].update(_answer_columns(question, item, value))
    return columns


def _fill_unanswered(row: dict[str, str], plans: list[_WavePlan]) -> None:
    """A wave the participant did not answer: REDCap's "Incomplete" status (0)."""
    for plan in plans:
        row.setdefault(f"{plan.form}_complete", "0")


# --- Achievements ---------------------------------------------------------------------

ACHIEVEMENT_CODES = {
    Achievement.Kind.PUBLICATION: "pub",
    Achievement.Kind.BOOK_CHAPTER: "chapter",
    Achievement.Kind.ABSTRACT: "abstract",
    Achievement.Kind.POSTER: "poster",
    Achievement.Kind.INVITED_TALK: "talk",
    Achievement.Kind.GRANT_SUBMITTED: "grant_sub",
    Achievement.Kind.GRANT_AWARDED: "grant_won",
    Achievement.Kind.AWARD: "award",
    Achievement.Kind.PROMOTION: "promotion",
    Achievement.Kind.LEADERSHIP: "leadership",
    Achievement.Kind.COMMITTEE: "committee",
    Achievement.Kind.VISITING_PROFESSORSHIP: "visiting",
    Achievement.Kind.NOMINATION_RECEIVED: "nominated",
}


def achievement_years(program, today: dt.date) -> range:
    """Calendar years relative to the program's start year: three before, up to now."""
    after = min(max(today.year - program.starts_on.year, 0), MOST_YEARS_AFTER_START)
    return range(-YEARS_BEFORE_START, after + 1)


def year_suffix(relative: int) -> str:
    return f"ym{-relative}" if relative < 0 else f"y{relative}"


def achievement_fields(years: range) -> list[Field]:
    fields = []
    for kind, code in ACHIEVEMENT_CODES.items():
        for relative in years:
            when = _relative_year(relative)
            fields.append(
                Field(
                    f"ach_{code}_{year_suffix(relative)}",
                    "achievements",
                    "text",
                    f"{kind.label}: number in {when}",
                    note="Calendar year relative to the program's start year.",
                    validation="integer",
                    minimum="0",
                    section="Achievements the member lets programs count" if not fields else "",
                )
            )
    return fields


def _relative_year(relative: int) -> str:
    if relative == 0:
        return "the program's start year"
    years = f"{abs(relative)} year{'s' if abs(relative) > 1 else ''}"
    return f"the calendar year {years} {'before' if relative < 0 else 'after'} the start year"


def _achievement_columns(program, years: range) -> dict[int, dict[str, str]]:
    """user id → counts per kind and relative year, counted by the database in one query.
    Achievements a member keeps private are never counted."""
    start = program.starts_on.year
    counts = (
        Achievement.objects.filter(
            user_id__in=Subquery(accepted_participants(program).values("user_id")),
            sharing=Achievement.Sharing.AGGREGATE,
            date__year__gte=start + years.start,
            date__year__lte=start + years.stop - 1,
        )
        .annotate(year=ExtractYear("date"))
        .order_by()
        .values_list("user_id", "kind", "year")
        .annotate(n=Count("pk"))
    )
    columns: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, kind, year, n in counts:
        columns[user_id][f"ach_{ACHIEVEMENT_CODES[kind]}_{year_suffix(year - start)}"] = str(n)
    return columns


# --- The dataset ----------------------------------------------------------------------


def build_dataset(program, contents: Contents, *, today: dt.date | None = None) -> Dataset:
    today = today or timezone.localdate()
    taken: set[str] = set()
    fields = participant_fields(contents.participants)
    taken.update(f.name for f in fields)
    plans = _wave_plans(contents.waves, taken)
    for plan in plans:
        fields += plan.fields
    years = achievement_years(program, today)
    if contents.achievements:
        fields += achievement_fields(years)
    dataset = Dataset(fields, [plan.form for plan in plans])
    dataset.rows = _rows(program, contents, plans, years)
    return dataset


def _rows(program, contents: Contents, plans, years: range) -> list[dict[str, str]]:
    people = _participant_rows(program)
    sensitive = _sensitive_columns(program) if contents.participants else {}
    surveys = _wave_columns(plans) if plans else {}
    achievements = _achievement_columns(program, years) if contents.achievements else {}
    zero_counts = dict.fromkeys(
        (f.name for f in achievement_fields(years)) if contents.achievements else (), "0"
    )
    rows = []
    for user_id, details in people.items():
        record_id = pseudonym(program.pk, user_id)
        row = {"record_id": record_id}
        if contents.participants:
            row |= details | sensitive.get(user_id, {})
        row |= surveys.get(record_id, {})
        _fill_unanswered(row, plans)
        row |= zero_counts | achievements.get(user_id, {})
        rows.append(row)
    # Ordered by pseudonym, so the order says nothing about when or who joined.
    rows.sort(key=lambda row: row["record_id"])
    if contents.participants:
        withhold_rare_categories(rows, SUPPRESSED_WHEN_RARE)
    return rows


# --- Files ----------------------------------------------------------------------------


def data_rows(dataset: Dataset) -> Iterator[list[str]]:
    header = dataset.header()
    yield header
    for row in dataset.rows:
        yield [row.get(column, "") for column in header]


def dictionary_rows(dataset: Dataset) -> Iterator[list[str]]:
    yield DICTIONARY_HEADER
    for item in dataset.fields:
        yield item.dictionary_row()


def file_stem(program) -> str:
    return f"peerhaven_{slugify(program.name) or f'program-{program.pk}'}"


README_TEXT = """\
Peerhaven research export: {program}
Exported {exported_on} (UTC). Contents: {contents}. Rows: {rows}.

Files
- {stem}_data.csv
  The dataset: one row per participant accepted into the program.
- {stem}_data_dictionary.csv
  A REDCap data dictionary describing every column. Upload it in REDCap (Project Setup >
  Data Dictionary), then import the data file with the Data Import Tool. Checkbox
  questions are columns <variable>___<code> (0/1); each survey wave is one form, whose
  REDCap status column <form>_complete is 2 when the participant answered that wave and 0
  when they did not.
- README.txt
  This file.

De-identification
- record_id is a pseudonym: a keyed hash of the program and the member, meaningless
  outside Peerhaven and different in every program. It is the identifier the member's
  survey responses carry, so answers are joined without names.
- Left out entirely: names, e-mail addresses, institution, department, city, every
  free-text answer and "other specialty" text, and which circle anyone is in.
- Dates are coarsened to the month (YYYY-MM): the month of application and the month
  each survey response was submitted. Achievements are counted per calendar year relative
  to the program's start year (ach_<kind>_ym3 = three years before it, ach_<kind>_y0 =
  the start year, ach_<kind>_y1 = the year after), only those the member lets programs
  count. Time in rank is given in bands.
- Gender, under-represented status, first-generation status, caregiving and dual-career
  partnership appear only for members who consented to record them and allowed research
  use of that answer, and only as coarse categories (gender: woman / man / another gender
  identity, non-binary included; the others yes/no). Otherwise they are blank.
- A category of career stage, track, specialty, years in rank or a self-description
  that fewer than {smallest} exported participants share is left blank, so that a rare
  value cannot single someone out. Combinations of categories are not checked.
- Rows are ordered by record_id.

Coding
- Scale questions: 1-5. One-choice questions: the option's position (1 = first), listed
  in the dictionary. Numbers as numbers. A blank means not answered, withheld or not
  applicable.

This export was logged with its SHA-256 checksum, the name of the person who made it and
the time. Use it only as your study protocol and data-use agreement allow.
"""


def readme(program, dataset: Dataset, contents: Contents, exported_at: dt.datetime) -> str:
    return README_TEXT.format(
        program=program.name,
        exported_on=f"{exported_at:%Y-%m-%d %H:%M}",
        contents=contents.describe(),
        rows=len(dataset.rows),
        stem=file_stem(program),
        smallest=SMALLEST_CATEGORY,
    )

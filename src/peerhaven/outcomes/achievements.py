"""Each member's own log of achievements: identifiers made comparable, duplicates recognised,
the preview of an import, and the writes (``do_*``).

A log is its owner's business alone: every read goes through ``achievements_of`` or
``get_own_achievement`` (404 for anyone else's, staff and site admins included)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.http import Http404

from peerhaven.outcomes.importers import EntryProblem, ParsedEntry, ParsedFile
from peerhaven.outcomes.models import Achievement

# Long enough to read the preview and decide; short enough that abandoned ones go away.
PREVIEW_SECONDS = 60 * 60
DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
DOI_SHAPE = re.compile(r"^10\.\d{4,9}/\S+$")
NOT_WORD = re.compile(r"[\W_]+")


class AchievementError(Exception):
    """The log refused a change; the message is shown to the member."""


# Identifiers and keys -----------------------------------------------------------------


def normalise_doi(value: str) -> str:
    """``https://doi.org/10.1000/ABC`` and ``doi:10.1000/abc`` are the same DOI; "" when the
    value is not a DOI at all. DOIs are case-insensitive, so they are kept lower-cased."""
    doi = DOI_PREFIX.sub("", (value or "").strip()).strip().lower()
    return doi if DOI_SHAPE.match(doi) else ""


def normalise_pmid(value: str) -> str:
    pmid = re.sub(r"^pmid:?\s*", "", (value or "").strip(), flags=re.IGNORECASE)
    return pmid if pmid.isdigit() and len(pmid) <= 10 else ""


def title_key(title: str) -> str:
    """The title without case, accents or punctuation: with the year, how an entry without
    identifiers is recognised ("Peer Mentoring: A Pilot!" = "peer mentoring a pilot")."""
    decomposed = unicodedata.normalize("NFKD", title or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return NOT_WORD.sub(" ", letters.casefold()).strip()[:500]


# Reading the log ------------------------------------------------------------------------


def achievements_of(user):
    return Achievement.objects.filter(user=user)


def get_own_achievement(user, achievement_id) -> Achievement:
    achievement = achievements_of(user).filter(pk=achievement_id).first()
    if achievement is None:
        raise Http404("No such achievement.")
    return achievement


def by_year(achievements) -> list[tuple[int, list[Achievement]]]:
    """Newest year first, in the order given within each year."""
    ordered = sorted(achievements, key=lambda a: a.date.year, reverse=True)
    return [(year, list(rows)) for year, rows in itertools.groupby(ordered, lambda a: a.date.year)]


def counts_by_kind(user) -> dict[str, int]:
    rows = achievements_of(user).order_by().values("kind").annotate(n=Count("pk"))
    return {row["kind"]: row["n"] for row in rows}


# Import: candidates, duplicates and the preview ----------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A parsed entry as it would be saved."""

    number: int
    line: int | None
    kind: str
    title: str
    date: dt.date
    date_precision: str
    venue: str
    details: str
    doi: str
    pmid: str
    notes: tuple[str, ...] = ()

    @property
    def title_key(self) -> str:
        return title_key(self.title)

    @property
    def year(self) -> int:
        return self.date.year

    def achievement(self, user, source: str, sharing: str) -> Achievement:
        return Achievement(
            user=user,
            source=source,
            sharing=sharing,
            title_key=self.title_key,
            **{name: getattr(self, name) for name in SAVED_FIELDS},
        )


SAVED_FIELDS = ("kind", "title", "date", "date_precision", "venue", "details", "doi", "pmid")


def candidate(entry: ParsedEntry) -> Candidate:
    notes = list(entry.notes)
    doi = normalise_doi(entry.doi)
    if entry.doi and not doi:
        notes.append(f"“{entry.doi[:60]}” is not a DOI, so it was left out")
    pmid = normalise_pmid(entry.pmid)
    if entry.pmid and not pmid:
        notes.append(f"“{entry.pmid[:20]}” is not a PMID, so it was left out")
    return Candidate(
        number=entry.number,
        line=entry.line,
        kind=entry.kind,
        title=entry.title,
        date=dt.date(entry.year, entry.month or 1, entry.day or 1),
        date_precision=_precision(entry),
        venue=entry.venue,
        details=entry.details,
        doi=doi,
        pmid=pmid,
        notes=tuple(notes),
    )


def _precision(entry: ParsedEntry) -> str:
    if entry.day:
        return Achievement.DatePrecision.DAY
    return Achievement.DatePrecision.MONTH if entry.month else Achievement.DatePrecision.YEAR


@dataclass(frozen=True)
class Duplicate:
    candidate: Candidate
    reason: str


@dataclass
class ImportPreview:
    to_add: list[Candidate] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[EntryProblem] = field(default_factory=list)


class _Known:
    """What is already in a log (or earlier in the same file), by each way of recognising a
    duplicate. Each value says where the match is, for the preview."""

    def __init__(self):
        self.dois: dict[str, str] = {}
        self.pmids: dict[str, str] = {}
        self.titles: dict[tuple[str, int], list[tuple[str, str, str]]] = {}

    @classmethod
    def in_log_of(cls, user) -> _Known:
        known = cls()
        rows = achievements_of(user).values_list("title", "title_key", "date", "doi", "pmid")
        for title, key, date, doi, pmid in rows:
            known.add(key, date.year, doi, pmid, f"“{_short(title)}” in your log")
        return known

    def add(self, key: str, year: int, doi: str, pmid: str, where: str) -> None:
        if doi:
            self.dois.setdefault(doi, where)
        if pmid:
            self.pmids.setdefault(pmid, where)
        self.titles.setdefault((key, year), []).append((doi, pmid, where))

    def match(self, candidate: Candidate) -> str | None:
        """Why the candidate is a duplicate, or None. Same title and year is a duplicate
        unless both carry different DOIs or PMIDs: then they are two works."""
        if candidate.doi in self.dois:
            return f"same DOI as {self.dois[candidate.doi]}"
        if candidate.pmid in self.pmids:
            return f"same PMID as {self.pmids[candidate.pmid]}"
        for doi, pmid, where in self.titles.get((candidate.title_key, candidate.year), []):
            if _differ(doi, candidate.doi) or _differ(pmid, candidate.pmid):
                continue
            return f"same title and year as {where}"
        return None

    def add_candidate(self, candidate: Candidate) -> None:
        where = f"entry {candidate.number} of this file"
        self.add(candidate.title_key, candidate.year, candidate.doi, candidate.pmid, where)


def _differ(a: str, b: str) -> bool:
    return bool(a and b and a != b)


def _short(title: str) -> str:
    return title if len(title) <= 60 else title[:59] + "…"


def build_preview(user, parsed: ParsedFile) -> ImportPreview:
    """What confirming would add, what is already there (and why), and what could not be
    read. Duplicates within the file count too: the first of them is the one added."""
    preview = ImportPreview(problems=list(parsed.problems))
    known = _Known.in_log_of(user)
    for entry in parsed.entries:
        new = candidate(entry)
        reason = known.match(new)
        if reason is None:
            preview.to_add.append(new)
        else:
            preview.duplicates.append(Duplicate(new, reason))
        # Even a duplicate is remembered: a later entry may match it by another key.
        known.add_candidate(new)
    return preview


# Keeping the parsed file between preview and confirm --------------------------------------
# The parsed entries (bounded by importers.MAX_ENTRIES and field limits) wait in the shared
# cache under the member's id and the file's fingerprint, as roster imports do: the confirm
# request sends only the fingerprint, so nothing the browser sends is trusted as content, and
# another member cannot use a fingerprint that is not theirs.


def _cache_key(user, fingerprint: str) -> str:
    return f"achievement-import:{user.pk}:{fingerprint}"


def remember_upload(user, parsed: ParsedFile, filename: str) -> None:
    kept = {"file": asdict(parsed), "filename": filename[:120]}
    cache.set(_cache_key(user, parsed.fingerprint), kept, PREVIEW_SECONDS)


def recall_upload(user, fingerprint: str) -> tuple[ParsedFile, str] | None:
    if not re.fullmatch(r"[0-9a-f]{64}", fingerprint or ""):
        return None
    kept = cache.get(_cache_key(user, fingerprint))
    if kept is None:
        return None
    data = kept["file"]
    parsed = ParsedFile(
        format=data["format"],
        encoding=data["encoding"],
        fingerprint=data["fingerprint"],
        entries=[ParsedEntry(**{**e, "notes": tuple(e["notes"])}) for e in data["entries"]],
        problems=[EntryProblem(**p) for p in data["problems"]],
    )
    return parsed, kept["filename"]


def forget_upload(user, fingerprint: str) -> None:
    cache.delete(_cache_key(user, fingerprint))


# Writes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    added: int
    already_there: int


def do_import_achievements(
    candidates: list[Candidate],
    *,
    source: str,
    sharing: str = Achievement.Sharing.AGGREGATE,
    acting_user,
) -> ImportResult:
    """Adds the candidates that are not in the member's log yet, all or none. Running it
    twice (a double submit, a second tab) adds nothing the second time."""
    if sharing not in Achievement.Sharing.values:
        raise AchievementError("Choose one of the listed options.")
    try:
        return _import(candidates, source, sharing, acting_user)
    except IntegrityError:
        # A concurrent import committed the same DOI or PMID between our check and insert;
        # now that it has, a second pass sees those entries as duplicates.
        return _import(candidates, source, sharing, acting_user)


@transaction.atomic
def _import(candidates: list[Candidate], source: str, sharing: str, acting_user) -> ImportResult:
    # One import at a time per member (PostgreSQL row lock; SQLite writes one at a time
    # anyway), so two imports cannot both find an entry missing and both add it.
    get_user_model().objects.select_for_update().filter(pk=acting_user.pk).first()
    known = _Known.in_log_of(acting_user)
    new = []
    for item in candidates:
        if known.match(item) is None:
            new.append(item.achievement(acting_user, source, sharing))
        known.add_candidate(item)
    Achievement.objects.bulk_create(new)
    return ImportResult(added=len(new), already_there=len(candidates) - len(new))


def do_save_achievement(achievement: Achievement, *, acting_user) -> Achievement:
    """Saves a new or edited achievement of the acting member's own."""
    if achievement.user_id not in (None, acting_user.pk):
        raise Http404("No such achievement.")
    achievement.user = acting_user
    achievement.title_key = title_key(achievement.title)
    achievement.doi = normalise_doi(achievement.doi)
    achievement.pmid = normalise_pmid(achievement.pmid)
    try:
        with transaction.atomic():
            achievement.save()
    except IntegrityError:
        raise AchievementError(
            "Your log already has an achievement with this DOI or PMID."
        ) from None
    return achievement


@transaction.atomic
def do_delete_achievement(achievement: Achievement, *, acting_user) -> None:
    if achievement.user_id != acting_user.pk:
        raise Http404("No such achievement.")
    achievement.delete()


@transaction.atomic
def do_set_sharing_for_all(sharing: str, *, acting_user) -> int:
    """Sets what programs may count for every achievement in the member's log."""
    if sharing not in Achievement.Sharing.values:
        raise AchievementError("Choose one of the listed options.")
    return achievements_of(acting_user).exclude(sharing=sharing).update(sharing=sharing)

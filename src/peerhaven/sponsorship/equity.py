"""An organization's equity view: does sponsorship reach those who need it?

For the organization's opportunities, per year (an opportunity's deadline year): how many
people were put forward (``Nomination.objects.put_forward()``: accepted by the nominee and
submitted, selected or not selected), and how many of them were selected (any of their
put-forward nominations that year selected). The unit is people, not nominations: the
disclosure threshold is about people, and five nominations of one person are one person.

Broken down by career stage (the nominee's profile as it is today; "Not given" when blank)
and by gender and under-represented status. Those two come only from self-descriptions the
member let equity views count (``SelfDescription.equity_allowed``), never from answers given
for matching or research: consent to one use is not consent to another. Everyone else
counts as "Not shared".

Three steps, as in the program report: ``gather`` reads plain data in three queries
whatever the number of nominations; ``compose`` turns it into cells and the relations
between them, and lets ``lib/disclosure`` suppress every figure about fewer than five
people, or that would give one away by subtraction; ``lay_out`` shapes the page's tables
from the protected cells only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from peerhaven.accounts.choices import CareerStage
from peerhaven.accounts.models import SENSITIVE_VALUES, SelfDescription, SensitiveAttribute
from peerhaven.lib import disclosure as dc
from peerhaven.lib.disclosure import Shown
from peerhaven.outcomes.report.figures import Table, Td
from peerhaven.sponsorship.models import Nomination, Opportunity

# Enough years to see a trend; older ones are left out of the page (and of the cells).
YEARS_SHOWN = 5
NOT_GIVEN = "not_given"
NOT_SHARED = "not_shared"
PUT_FORWARD, SELECTED, NOT_SELECTED, SHARE = "put_forward", "selected", "not_selected", "share"


@dataclass(frozen=True)
class Dimension:
    """One way of breaking people down: every person falls in exactly one group."""

    key: str
    heading: str
    title: str
    groups: tuple[tuple[str, str], ...]  # (key, label)


DIMENSIONS = (
    Dimension(
        "stage", "Career stage", "career stage", (*CareerStage.choices, (NOT_GIVEN, "Not given"))
    ),
    Dimension(
        "gender",
        "Gender",
        "gender",
        (*SENSITIVE_VALUES[SensitiveAttribute.GENDER], (NOT_SHARED, "Not shared")),
    ),
    Dimension(
        "urim",
        SensitiveAttribute.UNDER_REPRESENTED.label,
        "under-represented status",
        (*SENSITIVE_VALUES[SensitiveAttribute.UNDER_REPRESENTED], (NOT_SHARED, "Not shared")),
    ),
)
# The self-description each shared dimension is read from.
SHARED_DIMENSIONS = {
    SensitiveAttribute.GENDER: "gender",
    SensitiveAttribute.UNDER_REPRESENTED: "urim",
}
# Every figure of a year and measure: the total, then each dimension's groups.
SUFFIXES = ("total", *(f"{d.key}.{key}" for d in DIMENSIONS for key, _ in d.groups))


def cell_id(year: int, measure: str, suffix: str) -> str:
    return f"{year}.{measure}.{suffix}"


# ---- gathering ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonYear:
    """One person put forward in one year, and the group they count in per dimension."""

    year: int
    selected: bool
    groups: dict[str, str]


@dataclass
class RawEquity:
    organization: str
    opportunities: int
    years: list[int]  # the years shown, newest first
    people: list[PersonYear]  # in those years only


def gather(organization) -> RawEquity:
    """The organization's plain figures, in three queries whatever their number."""
    nominations = Nomination.objects.put_forward().filter(opportunity__organization=organization)
    rows = nominations.values_list(
        "nominee_id", "opportunity__deadline", "status", "nominee__profile__career_stage"
    )
    selected: dict[tuple[int, int], bool] = {}
    stages: dict[int, str | None] = {}
    for nominee_id, deadline, status, stage in rows:
        key = (nominee_id, deadline.year)
        selected[key] = selected.get(key, False) or status == Nomination.Status.SELECTED
        stages[nominee_id] = stage
    years = sorted({year for _, year in selected}, reverse=True)[:YEARS_SHOWN]
    shared = _shared_answers(nominations.values("nominee_id"))
    people = [
        PersonYear(year, chosen, _groups_of(stages[nominee_id], shared.get(nominee_id, {})))
        for (nominee_id, year), chosen in selected.items()
        if year in years
    ]
    opportunities = Opportunity.objects.filter(organization=organization).count()
    return RawEquity(organization.name, opportunities, years, people)


def _shared_answers(nominees) -> dict[int, dict[str, str]]:
    """user id -> {dimension: group}, from answers their owner let equity views count.
    Values are encrypted, so they are read here, not filtered in SQL."""
    answers = SelfDescription.objects.filter(
        user_id__in=nominees,
        attribute__in=list(SHARED_DIMENSIONS),
        equity_allowed=True,
        user__sensitive_consent__isnull=False,
    ).values_list("user_id", "attribute", "value")
    known = {d.key: {key for key, _ in d.groups} - {NOT_SHARED} for d in DIMENSIONS}
    shared: dict[int, dict[str, str]] = defaultdict(dict)
    for user_id, attribute, value in answers:
        dimension = SHARED_DIMENSIONS[attribute]
        if value in known[dimension]:
            shared[user_id][dimension] = value
    return shared


def _groups_of(stage: str | None, shared: dict[str, str]) -> dict[str, str]:
    return {
        "stage": stage if stage in CareerStage.values else NOT_GIVEN,
        "gender": shared.get("gender", NOT_SHARED),
        "urim": shared.get("urim", NOT_SHARED),
    }


# ---- composing ------------------------------------------------------------------------


def compose(raw: RawEquity) -> EquityReport:
    years = [_protect_year(year, [p for p in raw.people if p.year == year]) for year in raw.years]
    opportunities = dc.protect([dc.figure("opportunities", raw.opportunities)], [])
    disclosure = _merged([opportunities, *years])
    report = EquityReport(raw, disclosure, _hidden_with_shares(disclosure, raw.years))
    report.blocks = [lay_out(report, year) for year in raw.years]
    return report


def _protect_year(year: int, people: list[PersonYear]) -> dc.Disclosure:
    cells: list[dc.Cell] = []
    relations: list[dc.Relation] = []
    _year_cells(cells, relations, year, people)
    return dc.protect(cells, relations)


def _merged(parts: list[dc.Disclosure]) -> dc.Disclosure:
    """One disclosure from several protected alone. No relation crosses years (people are
    counted per year, and no figure sums years), so protecting each year alone hides exactly
    what protecting them together would, in smaller, faster integer programs."""
    return dc.Disclosure(
        cells={cid: cell for part in parts for cid, cell in part.cells.items()},
        relations=[relation for part in parts for relation in part.relations],
        primary=frozenset().union(*(part.primary for part in parts)),
        hidden=frozenset().union(*(part.hidden for part in parts)),
    )


def _year_cells(cells: list, relations: list, year: int, people: list[PersonYear]) -> None:
    tallies = {PUT_FORWARD: _tally(people), SELECTED: _tally([p for p in people if p.selected])}
    for measure, tally in tallies.items():
        cells += [dc.count(cell_id(year, measure, suffix), tally[suffix]) for suffix in SUFFIXES]
        for dimension in DIMENSIONS:
            parts = [
                cell_id(year, measure, f"{dimension.key}.{key}") for key, _ in dimension.groups
            ]
            relations.append(dc.Relation(cell_id(year, measure, "total"), tuple(parts)))
    for suffix in SUFFIXES:
        put, chosen = tallies[PUT_FORWARD][suffix], tallies[SELECTED][suffix]
        # Selected never exceeds put forward, so "put forward but not selected" can be
        # worked out: protected like a shown count, though never shown.
        cells.append(dc.count(cell_id(year, NOT_SELECTED, suffix), put - chosen, displayed=False))
        parts = (cell_id(year, SELECTED, suffix), cell_id(year, NOT_SELECTED, suffix))
        relations.append(dc.Relation(cell_id(year, PUT_FORWARD, suffix), parts))
        share = round(chosen / put, 2) if put else None
        cells.append(dc.statistic(cell_id(year, SHARE, suffix), share, put))


def _tally(people: list[PersonYear]) -> Counter:
    tally = Counter(dict.fromkeys(SUFFIXES, 0))
    for person in people:
        tally["total"] += 1
        tally.update(f"{dimension}.{group}" for dimension, group in person.groups.items())
    return tally


def _hidden_with_shares(disclosure: dc.Disclosure, years: list[int]) -> frozenset[str]:
    """The engine's hidden cells, and every share whose put-forward or selected count is
    hidden: a share beside one shown count gives the other away."""
    unpaired = {
        cell_id(year, SHARE, suffix)
        for year in years
        for suffix in SUFFIXES
        if not (
            disclosure.shown(cell_id(year, PUT_FORWARD, suffix))
            and disclosure.shown(cell_id(year, SELECTED, suffix))
        )
    }
    return disclosure.hidden | unpaired


# ---- laying out -----------------------------------------------------------------------


@dataclass
class YearBlock:
    year: int
    tables: list[Table]


@dataclass
class EquityReport:
    raw: RawEquity
    disclosure: dc.Disclosure
    hidden: frozenset[str]  # displayed cells the page does not show
    blocks: list[YearBlock] = field(default_factory=list)

    def shown(self, cell: str) -> Shown:
        kind = self.disclosure.cells[cell].kind
        # The only statistics here are shares selected.
        percent = kind == dc.STATISTIC
        if cell in self.hidden:
            return Shown(cell, None, True, kind, percent)
        return Shown(cell, self.disclosure.cells[cell].value, False, kind, percent)

    def value(self, cell: str):
        """What the page shows of a displayed cell: its value, or None if hidden."""
        return None if cell in self.hidden else self.disclosure.value(cell)


def lay_out(report: EquityReport, year: int) -> YearBlock:
    return YearBlock(year, [_table(report, year, dimension) for dimension in DIMENSIONS])


def _table(report: EquityReport, year: int, dimension: Dimension) -> Table:
    rows = [
        (label, _tds(report, year, f"{dimension.key}.{key}")) for key, label in dimension.groups
    ]
    rows.append(("All people", _tds(report, year, "total")))
    return Table(
        f"equity-{year}-{dimension.key}",
        f"{year}: people put forward and selected, by {dimension.title}",
        [dimension.heading, "Put forward", "Selected", "Share selected"],
        rows,
    )


def _tds(report: EquityReport, year: int, suffix: str) -> list[Td]:
    return [Td(report.shown(cell_id(year, m, suffix))) for m in (PUT_FORWARD, SELECTED, SHARE)]


def build(organization) -> EquityReport:
    return compose(gather(organization))

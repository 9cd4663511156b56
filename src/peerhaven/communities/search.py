"""Full-text search over the posts a member can see.

What a member may find is what they may read in lists: published posts of their community
outside private sub-groups they are not in (``Post.objects.in_reach_of(member).published()``)
and published replies in published threads. That queryset is compiled by the ORM and the
full-text match is added to it, so there is one statement of who sees what.

The index lives outside the Django model (migration 0002): an FTS5 table on SQLite, a
generated ``tsvector`` column with a GIN index on PostgreSQL. Member input never reaches
either as query syntax: FTS5 gets each word as a quoted string, PostgreSQL parses the
text with ``websearch_to_tsquery``, which accepts anything.

On PostgreSQL only the newest ``RANKED_MATCHES`` matches are ranked: a common word can
match hundreds of thousands of posts, and ranking them all would cost a second; the GIN
index finds matches and the primary key orders them, so the page stays fast at any size."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from peerhaven.communities.models import Member, Post, SubGroup

MAX_QUERY_LENGTH = 200
RANKED_MATCHES = 500
# Title matches count ten times body matches in SQLite's bm25; PostgreSQL's ts_rank_cd
# weights A (title) to B (body) as 1.0 to 0.4.
SQLITE_WEIGHTS = (10.0, 1.0)

# Marks around matched words, chosen from control characters no tokenizer keeps as text;
# the snippet is escaped with them in place and they become <mark> afterwards.
MARK_START, MARK_END = "\x02", "\x03"
# Letters and digits; everything else separates words, as in both engines' tokenizers.
WORD = re.compile(r"[^\W_]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SearchError(Exception):
    """The query cannot be searched; the message is shown to the person."""


@dataclass(frozen=True)
class SearchResult:
    post: Post
    thread_id: int
    title: str  # the thread's title, for replies too
    snippet: SafeString
    rank: float  # higher is better


def search_posts(
    member: Member,
    query: str,
    *,
    subgroup: SubGroup | None = None,
    kind: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[SearchResult]:
    """Posts matching ``query`` that ``member`` may see, best first."""
    # Control characters mean nothing in a search (and PostgreSQL refuses NUL outright).
    query = CONTROL.sub(" ", query).strip()
    words = search_words(query)
    posts = _searchable(member, subgroup=subgroup, kind=kind)
    if connection.vendor == "postgresql":
        ranked = _rank_postgres(posts, query, limit=limit, offset=offset)
        snippet = _postgres_snippet(query)
    else:
        fts_query = " ".join(f'"{word}"' for word in words)
        ranked = _rank_sqlite(posts, fts_query, limit=limit, offset=offset)
        snippet = _sqlite_snippet(fts_query)
    return _results(ranked, snippet)


def search_words(query: str) -> list[str]:
    """The words to look for, or a SearchError saying why there are none to search."""
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchError(
            f"Search for at most {MAX_QUERY_LENGTH} characters; this search has {len(query)}."
        )
    words = WORD.findall(query)
    if not words:
        raise SearchError("Type a word to search for.")
    return words


def _searchable(member: Member, *, subgroup: SubGroup | None, kind: str | None) -> QuerySet:
    posts = (
        Post.objects.in_reach_of(member)
        .published()
        # A reply shows only while its thread does (a hidden thread hides its replies).
        .filter(Q(parent__isnull=True) | Q(parent__state=Post.State.PUBLISHED))
    )
    if subgroup is not None:
        posts = posts.filter(subgroup=subgroup)
    if kind:
        posts = posts.filter(kind=kind)
    return posts


def _compiled(queryset: QuerySet) -> tuple[str, tuple]:
    """The queryset's SQL as a top-level query, where the posts table keeps its own name
    ("communities_post"), which the raw fragments here refer to."""
    return queryset.query.get_compiler(using=queryset.db).as_sql()


def _rank_sqlite(posts: QuerySet, fts_query: str, *, limit: int, offset: int):
    # FTS5 finds and scores the matches; each is checked against the member's view by
    # primary key (a correlated EXISTS), so the cost follows the matches, not the community.
    visible = posts.filter(
        RawSQL('"communities_post"."id" = communities_post_fts.rowid', (), BooleanField())
    ).values("pk")
    visible_sql, visible_params = _compiled(visible)
    weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
    sql = f"""
        SELECT communities_post_fts.rowid, -bm25(communities_post_fts, {weights}) AS score
        FROM communities_post_fts
        WHERE communities_post_fts MATCH %s AND EXISTS ({visible_sql})
        ORDER BY score DESC, communities_post_fts.rowid DESC
        LIMIT %s OFFSET %s"""  # noqa: S608 (every value is a parameter)
    return _fetch(sql, [fts_query, *visible_params, limit, offset])


def _rank_postgres(posts: QuerySet, query: str, *, limit: int, offset: int):
    matches = (
        posts.filter(
            RawSQL(
                "\"communities_post\".search_vector @@ websearch_to_tsquery('english', %s)",
                (query,),
                BooleanField(),
            )
        )
        .order_by("-pk")
        .values("pk")[:RANKED_MATCHES]
    )
    matches_sql, matches_params = _compiled(matches)
    sql = f"""
        SELECT post.id, ts_rank_cd(post.search_vector, websearch_to_tsquery('english', %s))
            AS score
        FROM communities_post AS post
        WHERE post.id IN ({matches_sql})
        ORDER BY score DESC, post.id DESC
        LIMIT %s OFFSET %s"""  # noqa: S608 (every value is a parameter)
    return _fetch(sql, [query, *matches_params, limit, offset])


def _fetch(sql: str, params: list) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sqlite_snippet(fts_query: str) -> RawSQL:
    # snippet() needs the full-text query it describes: one per result row, twenty at most.
    return RawSQL(
        "SELECT snippet(communities_post_fts, 1, %s, %s, '…', 24) FROM communities_post_fts "
        "WHERE communities_post_fts MATCH %s "
        'AND communities_post_fts.rowid = "communities_post"."id"',
        (MARK_START, MARK_END, fts_query),
        TextField(),
    )


def _postgres_snippet(query: str) -> RawSQL:
    options = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=30, "
        'MinWords=12, FragmentDelimiter=" … "'
    )
    return RawSQL(
        "ts_headline('english', \"communities_post\".body, "
        "websearch_to_tsquery('english', %s), %s)",
        (query, options),
        TextField(),
    )


def _results(ranked: list[tuple[int, float]], snippet: RawSQL) -> list[SearchResult]:
    """The ranked posts with their snippets: one query for the page, whatever its size."""
    if not ranked:
        return []
    posts = (
        Post.objects.filter(pk__in=[pk for pk, _ in ranked])
        .select_related("subgroup", "parent")
        .defer("body", "body_html", "parent__body", "parent__body_html")
        .annotate(marked_snippet=snippet)
        .in_bulk()
    )
    return [
        SearchResult(
            post=post,
            thread_id=post.thread_id,
            title=post.parent.title if post.parent_id else post.title,
            snippet=highlighted(post.marked_snippet or ""),
            rank=score,
        )
        for pk, score in ranked
        if (post := posts.get(pk)) is not None
    ]


def highlighted(marked: str) -> SafeString:
    """Escape a snippet, then turn the engine's marks into <mark> elements. Marks a member
    typed into a post can at worst mark a word: an end without a start is dropped and a
    start without an end is closed."""
    parts = []
    open_mark = False
    for piece in re.split(f"([{MARK_START}{MARK_END}])", marked):
        if piece == MARK_START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == MARK_END and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (MARK_START, MARK_END):
            parts.append(escape(piece))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text is escaped above)

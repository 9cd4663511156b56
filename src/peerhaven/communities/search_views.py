"""Searching a community's posts: one page, read with GET so a search can be bookmarked."""

from __future__ import annotations

from django import forms
from django.shortcuts import render

from peerhaven.communities.access import community_view
from peerhaven.communities.forms import offer_own_groups
from peerhaven.communities.models import Member, Post, SubGroup
from peerhaven.communities.search import (
    MAX_QUERY_LENGTH,
    RANKED_MATCHES,
    SearchError,
    search_posts,
)

PAGE_SIZE = 20
# Paging stops where ranking does.
LAST_PAGE = RANKED_MATCHES // PAGE_SIZE


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search posts",
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "required": "Type a word to search for.",
            "max_length": f"Search for at most {MAX_QUERY_LENGTH} characters; "
            "this search has %(show_value)d.",
        },
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    group = forms.ModelChoiceField(
        label="In group", queryset=SubGroup.objects.none(), required=False, empty_label="All groups"
    )
    kind = forms.ChoiceField(
        label="Kind of post", choices=[("", "All kinds"), *Post.Kind.choices], required=False
    )

    def __init__(self, data, member: Member, *, asked_group: str = ""):
        super().__init__(data, initial={"group": asked_group})
        offer_own_groups(self.fields["group"], member, asked_group)


@community_view()
def search(request, member):
    # The page opens with an empty form; any submission, even an empty one, is a search.
    form = SearchForm(
        request.GET if "q" in request.GET else None,
        member,
        asked_group=request.GET.get("group", ""),
    )
    results, page = None, _page(request)
    if form.is_valid():
        try:
            results = search_posts(
                member,
                form.cleaned_data["q"],
                subgroup=form.cleaned_data["group"],
                kind=form.cleaned_data["kind"] or None,
                limit=PAGE_SIZE + 1,
                offset=(page - 1) * PAGE_SIZE,
            )
        except SearchError as error:
            form.add_error("q", str(error))
    context = {
        "community": member.community,
        "member": member,
        "form": form,
        "results": results[:PAGE_SIZE] if results is not None else None,
        "page": page,
        "more": results is not None and len(results) > PAGE_SIZE and page < LAST_PAGE,
    }
    return render(request, "communities/search.html", context)


def _page(request) -> int:
    """The page of results asked for; nonsense is the first page."""
    page = request.GET.get("page", "")
    if not (page.isdecimal() and len(page) <= 3):
        return 1
    return max(1, min(int(page), LAST_PAGE))

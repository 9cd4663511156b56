"""Site staff see communities as a directory — name, owner organization, how people join,
how many members — and nothing members wrote: posts, answers to membership questions and
the moderation log stay with each community's own moderators."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q

from peerhaven.communities.models import Community, Member


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "visibility", "join_policy", "member_count"]
    list_filter = ["visibility", "join_policy"]
    search_fields = ["name"]
    fields = ["name", "organization", "visibility", "join_policy", "created_at"]
    readonly_fields = ["name", "visibility", "join_policy", "created_at"]
    autocomplete_fields = ["organization"]

    def get_queryset(self, request):
        active = Q(members__state=Member.State.ACTIVE)
        return super().get_queryset(request).annotate(member_total=Count("members", filter=active))

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, community):
        return community.member_total

    def has_add_permission(self, request):
        return False  # communities are started by members, who become their owners

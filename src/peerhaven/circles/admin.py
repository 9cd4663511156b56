"""Site staff see circles as a directory — name, state, size — and can raise a circle's cap
above eight, the one thing only they may do. Nothing members wrote is registered here."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q

from peerhaven.circles.models import MAX_CIRCLE_SIZE, Circle, Membership


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "state", "organization", "member_count", "size_cap", "created_at"]
    list_filter = ["state"]
    search_fields = ["name"]
    fields = ["name", "organization", "state", "size_cap", "cap_override_by", "created_at"]
    readonly_fields = ["name", "state", "cap_override_by", "created_at"]
    autocomplete_fields = ["organization"]

    def get_queryset(self, request):
        active = Q(memberships__state=Membership.State.ACTIVE)
        return super().get_queryset(request).annotate(members=Count("memberships", filter=active))

    @admin.display(description="Members", ordering="members")
    def member_count(self, circle):
        return circle.members

    def save_model(self, request, circle, form, change):
        circle.cap_override_by = request.user if circle.size_cap > MAX_CIRCLE_SIZE else None
        super().save_model(request, circle, form, change)

    def has_add_permission(self, request):
        return False  # circles are started by members and programs, with a convener

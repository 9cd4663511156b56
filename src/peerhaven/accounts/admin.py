from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from peerhaven.accounts.models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    # Availability and interests are for matching, not for admins to browse.
    fields = ["display_name", "career_stage", "institution", "department", "time_zone"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Site admins manage accounts. Sensitive self-description and separations are
    deliberately not registered: nobody but the member reads them."""

    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "profile__display_name"]
    list_select_related = ["profile"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal = ["groups"]
    list_filter = ["is_active", "is_staff"]

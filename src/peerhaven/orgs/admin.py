from __future__ import annotations

from django.contrib import admin

from peerhaven.orgs.models import Organization, StaffRole


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffRoleInline]

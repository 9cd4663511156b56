from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from peerhaven import views

# The admin signs in through allauth, so rate limits and the second factor apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Peerhaven administration"

urlpatterns = [
    path("", views.home, name="dashboard"),
    path("profile/", include("peerhaven.accounts.urls")),
    path("circles/", include("peerhaven.circles.urls")),
    path("programs/", include("peerhaven.programs.urls")),
    path("communities/", include("peerhaven.communities.urls")),
    # Outcomes pages live under achievements/, surveys/ and programs/<id>/ (report, export).
    path("", include("peerhaven.outcomes.urls")),
    path("sponsorship/", include("peerhaven.sponsorship.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

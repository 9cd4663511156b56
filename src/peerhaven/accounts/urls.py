from __future__ import annotations

from django.urls import path

from peerhaven.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile_edit, name="profile_edit"),
    path("availability/", views.availability_edit, name="availability"),
    path("separations/", views.separation_add, name="separation_add"),
    path("separations/<int:pk>/remove/", views.separation_remove, name="separation_remove"),
    path("private/", views.private_profile, name="private_profile"),
    path("private/withdraw/", views.private_profile_withdraw, name="private_profile_withdraw"),
]

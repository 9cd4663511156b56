from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.accounts.models import Interest

pytestmark = pytest.mark.django_db

GOOD = {
    "display_name": "Alice Adams, MD",
    "pronouns": "she/her",
    "career_stage": "associate_professor",
    "rank_since_year": "2021",
    "track": "clinician_educator",
    "institution": "Lakeshore University",
    "department": "Medicine",
    "specialty": "cardiology",
    "specialty_other": "",
    "interest_tags": "Medical education, health equity, medical education",
    "interests_text": "Teaching on the wards.",
    "goals": "Promotion dossier.",
    "time_zone": "America/Chicago",
    "city": "Chicago",
    "region": "Illinois",
    "country": "United States",
    "meeting_preference": "virtual",
}


def test_profile_saves_every_field(client_for, alice):
    response = client_for(alice).post(reverse("accounts:profile_edit"), GOOD)
    assert response.status_code == 302
    alice.profile.refresh_from_db()
    assert alice.profile.career_stage == "associate_professor"
    assert alice.profile.rank_since_year == 2021
    assert alice.profile.specialty_label == "Cardiology"
    assert sorted(alice.profile.interests.values_list("name", flat=True)) == [
        "Medical education",
        "health equity",
    ]


def test_same_interest_is_shared_not_duplicated(client_for, alice, bob):
    client_for(alice).post(reverse("accounts:profile_edit"), GOOD)
    client_for(bob).post(
        reverse("accounts:profile_edit"), {**GOOD, "interest_tags": "medical education"}
    )
    assert Interest.objects.filter(slug="medical-education").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rank_since_year", "1890", "Enter a year between 1950"),
        ("rank_since_year", "soon", "Enter a whole number."),
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice."),
        ("career_stage", "", "This field is required."),
        ("career_stage", "chancellor", "Select a valid choice."),
        ("interest_tags", ",".join(f"tag {i}" for i in range(16)), "at most 15 interests"),
        ("interest_tags", "x" * 61, "under 60 characters"),
        ("display_name", "", "This field is required."),
    ],
)
def test_bad_profile_input_is_refused_next_to_the_field(client_for, alice, field, value, message):
    before = alice.profile.display_name
    response = client_for(alice).post(reverse("accounts:profile_edit"), {**GOOD, field: value})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert f"{field}_error" in response.content.decode()  # rendered beside the field
    alice.profile.refresh_from_db()
    assert alice.profile.display_name == before  # nothing half-saved


def test_bad_input_keeps_what_was_typed(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:profile_edit"), {**GOOD, "rank_since_year": "1890", "goals": "Keep me"}
    )
    body = response.content.decode()
    assert "Nothing was saved yet: please check the highlighted field below." in body
    assert "Keep me" in body
    assert 'value="Lakeshore University"' in body


def test_other_specialty_needs_a_name(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:profile_edit"), {**GOOD, "specialty": "other", "specialty_other": ""}
    )
    assert response.context["form"].errors["specialty_other"] == ["Tell us your specialty."]
    client_for(alice).post(
        reverse("accounts:profile_edit"),
        {**GOOD, "specialty": "other", "specialty_other": "Lifestyle medicine"},
    )
    alice.profile.refresh_from_db()
    assert alice.profile.specialty_label == "Lifestyle medicine"


def test_first_profile_save_leads_to_availability(client, django_user_model):
    from peerhaven.accounts.actions import do_create_member

    newcomer = do_create_member("new@example.org", "pw", display_name="New Person")
    client.force_login(newcomer)
    response = client.post(reverse("accounts:profile_edit"), GOOD)
    assert response.url == reverse("accounts:availability")


def test_availability_is_saved_sorted_and_without_duplicates(client_for, alice):
    response = client_for(alice).post(
        reverse("accounts:availability"), {"slots": ["170", "168", "169", "168"]}
    )
    assert response.url == reverse("dashboard")
    alice.profile.refresh_from_db()
    assert alice.profile.availability == [168, 169, 170]
    assert alice.profile.availability_ranges() == ["Thu 12:00–13:30"]


@pytest.mark.parametrize("bad", ["336", "-1", "noon"])
def test_availability_outside_the_week_is_refused(client_for, alice, bad):
    before = list(alice.profile.availability)
    response = client_for(alice).post(reverse("accounts:availability"), {"slots": ["12", bad]})
    assert response.status_code == 200
    assert "not a half-hour slot" in response.content.decode()
    alice.profile.refresh_from_db()
    assert alice.profile.availability == before


def test_clearing_availability_is_allowed_and_the_dashboard_says_so(client_for, alice):
    client = client_for(alice)
    client.post(reverse("accounts:availability"), {})
    alice.profile.refresh_from_db()
    assert alice.profile.availability == []
    assert "weekly availability" in client.get(reverse("dashboard")).content.decode()


def test_availability_grid_shows_saved_slots_checked(client_for, alice):
    body = client_for(alice).get(reverse("accounts:availability")).content.decode()
    assert 'value="168" id="slot-168" checked' in body
    assert 'value="170" id="slot-170" aria' in body

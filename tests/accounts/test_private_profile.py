from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from peerhaven.accounts.models import SelfDescription, SensitiveConsent

pytestmark = pytest.mark.django_db

URL = reverse("accounts:private_profile")


def answers(**overrides):
    data = {}
    for attribute in (
        "gender",
        "under_represented",
        "first_generation",
        "caregiver",
        "dual_career",
    ):
        data[f"{attribute}_value"] = ""
        data[f"{attribute}_visibility"] = "only_me"
    data.update(overrides)
    return data


def consented_client(client_for, user):
    client = client_for(user)
    client.post(URL, {"agree": "on"})
    return client


def test_consent_comes_before_any_question(client_for, alice):
    client = client_for(alice)
    response = client.get(URL)
    assert "I choose to describe myself here" in response.content.decode()
    response = client.post(URL, answers(gender_value="woman"))
    assert response.status_code == 200
    assert "Tick the box to go on" in response.content.decode()
    assert not SelfDescription.objects.exists()


def test_answers_are_saved_private_and_not_used_by_default(client_for, alice):
    client = consented_client(client_for, alice)
    assert SensitiveConsent.objects.filter(user=alice).exists()
    response = client.post(URL, answers(gender_value="woman", caregiver_value="both"))
    assert response.url == URL
    gender = SelfDescription.objects.get(user=alice, attribute="gender")
    assert gender.value == "woman"
    assert gender.visibility == "only_me"
    assert gender.matching_allowed is False
    assert SelfDescription.objects.get(attribute="caregiver").value_label.startswith("Both")


def test_answers_are_encrypted_at_rest(client_for, alice):
    client = consented_client(client_for, alice)
    client.post(URL, answers(gender_value="non_binary", gender_matching="on"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM accounts_selfdescription")
        [(stored,)] = cursor.fetchall()
    assert "non_binary" not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    assert SelfDescription.objects.get().matching_allowed is True


def test_prefer_not_to_say_deletes_an_earlier_answer(client_for, alice):
    client = consented_client(client_for, alice)
    client.post(URL, answers(gender_value="woman"))
    client.post(URL, answers(gender_value=""))
    assert not SelfDescription.objects.filter(user=alice).exists()


def test_unknown_value_is_refused(client_for, alice):
    client = consented_client(client_for, alice)
    response = client.post(URL, answers(gender_value="dragon", dual_career_visibility="everyone"))
    form = response.context["form"]
    assert "gender_value" in form.errors
    assert "dual_career_visibility" in form.errors
    assert not SelfDescription.objects.exists()


def test_withdrawing_consent_deletes_the_data(client_for, alice, bob):
    client = consented_client(client_for, alice)
    client.post(URL, answers(gender_value="woman", under_represented_value="yes"))
    bobs = consented_client(client_for, bob)
    bobs.post(URL, answers(gender_value="man"))

    response = client.post(reverse("accounts:private_profile_withdraw"))
    assert response.url == reverse("dashboard")
    assert not SelfDescription.objects.filter(user=alice).exists()
    assert not SensitiveConsent.objects.filter(user=alice).exists()
    assert SelfDescription.objects.filter(user=bob).count() == 1  # only her own data
    assert "I choose to describe myself here" in client.get(URL).content.decode()


def test_others_never_see_a_members_answers(client_for, alice, carol, sam):
    consented_client(client_for, alice).post(URL, answers(gender_value="woman"))
    for viewer in (carol, sam):
        body = client_for(viewer).get(URL).content.decode()
        assert 'value="woman" selected' not in body


def test_admin_does_not_offer_sensitive_data():
    from django.contrib import admin

    from peerhaven.accounts.models import Separation

    assert SelfDescription not in admin.site._registry
    assert Separation not in admin.site._registry
    assert SensitiveConsent not in admin.site._registry


def test_string_form_never_contains_the_value(client_for, alice):
    consented_client(client_for, alice).post(URL, answers(gender_value="woman"))
    assert "woman" not in str(SelfDescription.objects.get())


def test_research_use_is_off_unless_ticked_per_answer(client_for, alice):
    client = consented_client(client_for, alice)
    body = client.get(URL).content.decode()
    assert body.count("May be included, as a coarse category, in de-identified research") == 5
    client.post(URL, answers(gender_value="woman", caregiver_value="children"))
    assert not SelfDescription.objects.filter(research_allowed=True).exists()

    client.post(
        URL, answers(gender_value="woman", caregiver_value="children", gender_research="on")
    )
    assert SelfDescription.objects.get(attribute="gender").research_allowed is True
    assert SelfDescription.objects.get(attribute="caregiver").research_allowed is False
    form = client.get(URL).context["form"]
    assert form["gender_research"].value() is True
    assert form["caregiver_research"].value() is False


def test_unticking_research_use_withdraws_it(client_for, alice):
    client = consented_client(client_for, alice)
    client.post(URL, answers(gender_value="woman", gender_research="on"))
    client.post(URL, answers(gender_value="woman"))
    assert SelfDescription.objects.get(attribute="gender").research_allowed is False


def test_research_use_without_an_answer_stores_nothing(client_for, alice):
    client = consented_client(client_for, alice)
    client.post(URL, answers(gender_research="on"))
    assert not SelfDescription.objects.filter(user=alice).exists()

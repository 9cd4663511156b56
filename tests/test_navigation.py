"""The main navigation marks the section a page belongs to, by the page's address."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def current_sections(client, url: str) -> list[str]:
    items = client.get(url).context["navigation"]
    return [item["label"] for item in items if item["current"]]


def test_each_page_marks_the_section_it_is_under(client_for, dana, sample_program):
    client = client_for(dana)
    program = sample_program["program"]
    assert current_sections(client, reverse("dashboard")) == ["Home"]
    assert current_sections(client, reverse("programs:list")) == ["Programs"]
    assert current_sections(client, reverse("programs:detail", args=[program.pk])) == ["Programs"]
    assert current_sections(client, reverse("outcomes:achievements")) == ["Achievements"]


def test_survey_pages_do_not_claim_to_be_achievements(client_for, bob):
    assert "Achievements" not in current_sections(client_for(bob), reverse("outcomes:surveys"))

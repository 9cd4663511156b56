from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.matching import policy_from_dict
from peerhaven.programs import policies

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(policies.PRESETS))
def test_every_preset_is_a_policy_the_engine_accepts(name):
    settings = policies.preset(name)
    engine = policies.engine_policy(settings, min_size=6, max_size=8)
    parsed = policy_from_dict(engine)
    assert parsed.min_size == 6
    assert parsed.max_size == 8
    assert policies.describe(settings)


def test_new_faculty_pairs_keep_peers_within_three_years():
    engine = policies.engine_policy(policies.preset("new_faculty_pairs"), min_size=2, max_size=2)
    assert engine["pairs"]["window"] == {"column": "rank_year", "max_difference": 3.0}


def test_loading_a_preset_fills_the_form_without_saving(client_for, dana, sample_program):
    program = sample_program["program"]
    url = reverse("programs:policy", args=[program.pk])
    response = client_for(dana).post(url, {"preset": "grant_cohort", "load_preset": "1"})
    assert response.status_code == 200
    assert response.context["form"]["specialty_weight"].value() == 2.0
    program.refresh_from_db()
    assert program.policy["preset"] == "eot_circles"


def test_coordinator_adjusts_and_saves_the_policy(client_for, dana, sample_program):
    program = sample_program["program"]
    data = {"preset": "new_faculty_pairs", "shared_slot": "on", "window_years": "5"}
    for column in policies.CRITERIA_COLUMNS:
        data[f"{column}_goal"] = "diverse"
        data[f"{column}_weight"] = "1.5" if column == "department" else "0"
    response = client_for(dana).post(reverse("programs:policy", args=[program.pk]), data)
    assert response.url == reverse("programs:detail", args=[program.pk])
    program.refresh_from_db()
    assert program.policy["pairs"]["window_years"] == 5
    assert "Pairs are within 5 years of each other's rank." in policies.describe(program.policy)
    engine = policies.engine_policy(program.policy, min_size=6, max_size=8)
    assert [c["column"] for c in engine["criteria"]] == ["department"]


def test_bad_weights_are_refused(client_for, dana, sample_program):
    program = sample_program["program"]
    data = {"preset": "eot_circles", "department_goal": "diverse", "department_weight": "-1"}
    response = client_for(dana).post(reverse("programs:policy", args=[program.pk]), data)
    assert response.status_code == 200
    assert "department_weight" in response.context["form"].errors
    program.refresh_from_db()
    assert program.policy == policies.preset("eot_circles")

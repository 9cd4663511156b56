from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from peerhaven.programs.models import Enrollment

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(sample_program):
    return sample_program["program"]


def intake_data(**changes):
    data = {
        "career_stage": "assistant_professor",
        "rank_since_year": "2024",
        "department": "Pediatrics",
        "specialty": "pediatrics",
        "institution": "Lakeshore University",
        "region": "Illinois",
        "time_zone": "America/Chicago",
        "meeting_preference": "virtual",
        "keep_apart_from": "Dr Secret Rival",
    }
    data.update(changes)
    return data


def test_invitation_only_programs_are_hidden_from_others(client_for, program, carol):
    assert client_for(carol).get(reverse("programs:apply", args=[program.pk])).status_code == 404
    assert client_for(carol).post(reverse("programs:apply", args=[program.pk])).status_code == 404
    assert not program.enrollments.filter(user=carol).exists()


def test_an_open_program_takes_applications(client_for, program, carol):
    program.applications_open = True
    program.save()
    client = client_for(carol)
    assert client.post(reverse("programs:apply", args=[program.pk])).url == reverse(
        "programs:intake", args=[program.pk]
    )
    enrollment = program.enrollments.get(user=carol)
    assert enrollment.state == Enrollment.State.APPLIED


def test_the_invitation_link_lets_its_holders_apply(client_for, dana, program, carol):
    client_for(dana).post(reverse("programs:join_link", args=[program.pk]))
    program.refresh_from_db()
    from peerhaven.programs.actions import do_new_join_link

    token = do_new_join_link(program, acting_user=dana)
    client = client_for(carol)
    assert client.get(reverse("programs:join", args=[program.pk, "wrong"])).status_code == 404
    assert client.get(reverse("programs:join", args=[program.pk, token])).url == reverse(
        "programs:apply", args=[program.pk]
    )
    client.post(reverse("programs:apply", args=[program.pk]))
    assert program.enrollments.filter(user=carol, state="applied").exists()


def test_intake_fills_the_profile_and_keeps_answers_with_the_program(client_for, program, bob):
    question = program.questions.get()
    response = client_for(bob).post(
        reverse("programs:intake", args=[program.pk]),
        intake_data(**{f"question_{question.pk}": "Writing time"}),
    )
    assert response.url == reverse("dashboard")
    bob.profile.refresh_from_db()
    assert (bob.profile.department, bob.profile.rank_since_year) == ("Pediatrics", 2024)
    enrollment = program.enrollments.get(user=bob)
    assert enrollment.answers[str(question.pk)] == "Writing time"
    assert enrollment.keep_apart_from == "Dr Secret Rival"
    with connection.cursor() as cursor:
        cursor.execute("SELECT keep_apart_from FROM programs_enrollment")
        assert "Secret Rival" not in cursor.fetchone()[0]


def test_bad_intake_is_refused_and_saves_nothing(client_for, program, bob):
    response = client_for(bob).post(
        reverse("programs:intake", args=[program.pk]),
        intake_data(career_stage="", rank_since_year="1800"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"career_stage", "rank_since_year"}
    bob.profile.refresh_from_db()
    assert bob.profile.department == "Pediatrics"  # bob's original, from the fixture
    assert program.enrollments.get(user=bob).keep_apart_from == ""


def test_an_invited_person_is_accepted_on_completing_intake(client_for, program, carol):
    Enrollment.objects.create(program=program, email=carol.email, name="Carol Chen")
    client = client_for(carol)
    assert client.get(reverse("programs:apply", args=[program.pk])).status_code == 200
    client.post(reverse("programs:apply", args=[program.pk]))
    client.post(reverse("programs:intake", args=[program.pk]), intake_data())
    assert program.enrollments.get(email=carol.email).state == Enrollment.State.ACCEPTED


def test_staff_change_a_state_and_the_reason_is_kept(client_for, dana, program, sample_program):
    enrollment = sample_program["enrollment"]
    url = reverse("programs:enrollment_state", args=[program.pk, enrollment.pk])
    client_for(dana).post(url, {"state": "waitlisted", "reason": "Group full this year"})
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.reason) == ("waitlisted", "Group full this year")
    response = client_for(dana).post(url, {"state": "expelled"})
    enrollment.refresh_from_db()
    assert enrollment.state == "waitlisted"
    assert response.status_code == 302


def test_staff_never_see_private_keep_apart_names(client_for, dana, program, bob):
    client_for(bob).post(reverse("programs:intake", args=[program.pk]), intake_data())
    for name in ("enrollments", "detail"):
        page = client_for(dana).get(reverse(f"programs:{name}", args=[program.pk]))
        assert "Secret Rival" not in page.content.decode()


def test_an_invitation_shows_on_the_programs_page_before_it_is_answered(client_for, program, carol):
    Enrollment.objects.create(program=program, email=carol.email, name="Carol Chen")
    page = client_for(carol).get(reverse("programs:list")).content.decode()
    assert program.name in page
    assert reverse("programs:apply", args=[program.pk]) in page


def test_the_roster_preview_shows_ranks_in_words(client_for, dana, program):
    from django.core.files.uploadedfile import SimpleUploadedFile

    roster = b"name,email,rank\nAisha Abara,aisha@example.org,asst prof\n"
    response = client_for(dana).post(
        reverse("programs:roster", args=[program.pk]),
        {"roster": SimpleUploadedFile("r.csv", roster, content_type="text/csv")},
    )
    assert "Assistant professor" in response.content.decode()


def test_intake_can_hand_over_to_the_availability_grid_and_come_back(client_for, program, bob):
    client = client_for(bob)
    response = client.post(
        reverse("programs:intake", args=[program.pk]), {**intake_data(), "then": "availability"}
    )
    back = reverse("programs:intake", args=[program.pk])
    assert response.url == f"{reverse('accounts:availability')}?next={back}"
    assert program.enrollments.get(user=bob).keep_apart_from == "Dr Secret Rival"  # saved first
    response = client.post(response.url, {"slots": ["168", "169"], "next": back})
    assert response.url == back


def test_availability_never_redirects_off_site(client_for, bob):
    response = client_for(bob).post(
        reverse("accounts:availability"), {"slots": ["168"], "next": "https://evil.example/"}
    )
    assert response.url == reverse("dashboard")

from __future__ import annotations

import pytest
from django.urls import reverse

from peerhaven.programs.models import Program

pytestmark = pytest.mark.django_db

GOOD = {
    "organization": "",
    "kind": "faculty_development",
    "name": "New Faculty Peer Mentoring 2027",
    "description": "First- and second-year faculty.",
    "starts_on": "2027-01-15",
    "ends_on": "2027-12-15",
    "format": "circles",
    "min_group_size": "6",
    "max_group_size": "8",
    "modality": "virtual",
    "cadence": "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
    "meeting_time": "12:00",
    "time_zone": "America/Chicago",
    "charter": "1. What is said here stays here.",
}


def create(client, lakeshore, **changes):
    return client.post(
        reverse("programs:create"), {**GOOD, "organization": lakeshore.pk, **changes}
    )


def test_a_coordinator_creates_a_program_with_the_default_policy(client_for, dana, lakeshore):
    response = create(client_for(dana), lakeshore)
    program = Program.objects.get()
    assert response.url == reverse("programs:policy", args=[program.pk])
    assert program.organization == lakeshore
    assert program.created_by == dana
    assert program.policy["preset"] == "eot_circles"


def test_members_and_researchers_cannot_create_programs(client_for, bob, rhea, lakeshore):
    for person in (bob, rhea):
        assert client_for(person).get(reverse("programs:create")).status_code == 403
        assert create(client_for(person), lakeshore).status_code == 403
    assert not Program.objects.exists()


def test_a_coordinator_cannot_create_for_another_organization(client_for, dana):
    from peerhaven.orgs.models import Organization

    other = Organization.objects.create(name="Elsewhere", slug="elsewhere", kind="institution")
    response = create(client_for(dana), other)
    assert "organization" in response.context["form"].errors
    assert not Program.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"max_group_size": "9"}, "max_group_size", "less than or equal to 8"),
        ({"min_group_size": "8", "max_group_size": "6"}, "min_group_size", "cannot be larger"),
        ({"ends_on": "2026-01-01"}, "ends_on", "cannot end before it starts"),
        ({"cadence": "FREQ=HOURLY"}, "cadence", "Select a valid choice"),
        ({"name": ""}, "name", "required"),
        ({"starts_on": "soon"}, "starts_on", "valid date"),
    ],
)
def test_bad_program_settings_are_refused_next_to_the_field(
    client_for, dana, lakeshore, changes, field, message
):
    response = create(client_for(dana), lakeshore, **changes)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Program.objects.exists()


def test_editing_keeps_the_program_in_its_organization(client_for, dana, sample_program):
    program = sample_program["program"]
    response = client_for(dana).post(
        reverse("programs:edit", args=[program.pk]),
        {**GOOD, "organization": program.organization_id, "name": "Renamed"},
    )
    assert response.url == reverse("programs:detail", args=[program.pk])
    program.refresh_from_db()
    assert program.name == "Renamed"


def test_facilitators_are_chosen_among_the_organizations_facilitators(
    client_for, dana, lakeshore, bob, carol
):
    from peerhaven.orgs.models import StaffRole

    StaffRole.objects.create(organization=lakeshore, user=bob, role="facilitator")
    response = create(client_for(dana), lakeshore, facilitators=[bob.pk])
    assert response.status_code == 302
    assert list(Program.objects.get().facilitators.all()) == [bob]
    refused = create(client_for(dana), lakeshore, name="Other", facilitators=[carol.pk])
    assert "facilitators" in refused.context["form"].errors  # carol is no facilitator

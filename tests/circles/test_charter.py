"""The charter: every edit is a new version, every member agrees to the current one before
seeing circle content, and each agreement (who, which version, when) is kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from peerhaven.circles import actions
from peerhaven.circles.models import DEFAULT_CHARTER, CharterAgreement, CharterVersion
from tests.circles.conftest import membership_of, past_meeting
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

NEW_RULES = "1. What is said here stays here.\n2. Cameras on."


def content_urls(circle, meeting, ask) -> list[str]:
    return [
        reverse("circles:detail", args=[circle.pk]),
        reverse("circles:thread", args=[circle.pk]),
        reverse("circles:members", args=[circle.pk]),
        reverse("circles:ask_create", args=[circle.pk]),
        reverse("circles:ask", args=[circle.pk, ask.pk]),
        reverse("circles:meeting", args=[circle.pk, meeting.pk]),
        reverse("circles:live", args=[circle.pk, meeting.pk]),
        reverse("circles:meeting_ics", args=[circle.pk, meeting.pk]),
        reverse("circles:charter_edit", args=[circle.pk]),
    ]


@pytest.fixture
def circle_with_content(alice, bob):
    from peerhaven.circles.models import Ask

    circle = make_circle(alice, [bob])
    meeting = past_meeting(circle, days_ago=1)
    ask = Ask.objects.create(circle=circle, author=bob, meeting=meeting, title="Tenure timing")
    return circle, meeting, ask


def test_editing_makes_a_new_version_its_author_has_agreed_to(alice, bob, client_for):
    circle = make_circle(alice, [bob])
    client = client_for(bob)
    form = client.get(reverse("circles:charter_edit", args=[circle.pk]))
    assert form.context["form"]["rules"].value() == DEFAULT_CHARTER
    response = client.post(reverse("circles:charter_edit", args=[circle.pk]), {"rules": NEW_RULES})
    assert response.url == reverse("circles:charter", args=[circle.pk])
    versions = list(circle.charter_versions.order_by("number").values_list("number", "rules"))
    assert versions == [(1, DEFAULT_CHARTER), (2, NEW_RULES)]
    current = circle.current_charter()
    assert current.created_by == bob
    assert list(current.agreements.values_list("user__email", flat=True)) == ["bob@example.org"]


def test_other_members_must_agree_again_before_any_content(
    alice, bob, client_for, circle_with_content
):
    circle, meeting, ask = circle_with_content
    actions.do_edit_charter(circle, NEW_RULES, acting_user=bob)
    client = client_for(alice)
    for url in content_urls(circle, meeting, ask):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("circles:charter", args=[circle.pk]), url
    # Writes are held back too, not just pages.
    client.post(reverse("circles:thread", args=[circle.pk]), {"body": "Before agreeing"})
    assert not circle.messages.exists()

    charter = client.get(reverse("circles:charter", args=[circle.pk]))
    body = charter.content.decode()
    assert "Cameras on." in body
    assert "version 2" in body
    assert "I agree to these ground rules" in body
    client.post(reverse("circles:charter", args=[circle.pk]))
    for url in content_urls(circle, meeting, ask):
        assert client.get(url).status_code == 200, url


def test_the_agreement_records_who_which_version_and_when(alice, bob, client_for):
    circle = make_circle(alice, [bob])
    version = actions.do_edit_charter(circle, NEW_RULES, acting_user=alice)
    before = timezone.now()
    client_for(bob).post(reverse("circles:charter", args=[circle.pk]))
    agreement = CharterAgreement.objects.get(version=version, user=bob)
    assert agreement.version.number == 2
    assert before <= agreement.agreed_at <= timezone.now()
    # The agreement to version 1 stays on record.
    assert CharterAgreement.objects.filter(version__number=1, user=bob).exists()
    page = client_for(bob).get(reverse("circles:charter", args=[circle.pk]))
    body = page.content.decode()
    assert "You agreed to this version." in body
    assert f'Bob Baker <span class="muted">on {agreement.agreed_at:%-d %b %Y}' in body


def test_agreeing_twice_keeps_the_first_agreement(alice, bob, client_for):
    circle = make_circle(alice, [bob], agreed=False)
    client = client_for(bob)
    client.post(reverse("circles:charter", args=[circle.pk]))
    first = CharterAgreement.objects.get(user=bob)
    CharterAgreement.objects.filter(pk=first.pk).update(
        agreed_at=first.agreed_at - dt.timedelta(days=3)
    )
    client.post(reverse("circles:charter", args=[circle.pk]))
    assert CharterAgreement.objects.filter(user=bob).count() == 1
    assert CharterAgreement.objects.get(user=bob).agreed_at < timezone.now() - dt.timedelta(days=2)


@pytest.mark.parametrize(("rules", "message"), [("", "required"), ("x" * 5001, "at most 5000")])
def test_a_bad_edit_makes_no_version(alice, bob, client_for, rules, message):
    circle = make_circle(alice, [bob])
    response = client_for(alice).post(
        reverse("circles:charter_edit", args=[circle.pk]), {"rules": rules}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["rules"])
    assert CharterVersion.objects.filter(circle=circle).count() == 1
    assert membership_of(circle, bob) is not None
    assert client_for(bob).get(reverse("circles:detail", args=[circle.pk])).status_code == 200


def test_a_member_who_has_not_agreed_cannot_edit_the_charter(alice, bob, client_for):
    circle = make_circle(alice, [bob], agreed=False)
    response = client_for(bob).post(
        reverse("circles:charter_edit", args=[circle.pk]), {"rules": NEW_RULES}
    )
    assert response.url == reverse("circles:charter", args=[circle.pk])
    assert circle.charter_versions.count() == 1


def test_a_member_who_does_not_agree_can_leave_from_the_charter_page(alice, bob, client_for):
    circle = make_circle(alice, [bob], agreed=False)
    client = client_for(bob)
    assert (
        "Leave the circle"
        in client.get(reverse("circles:charter", args=[circle.pk])).content.decode()
    )
    client.post(reverse("circles:leave", args=[circle.pk]))
    assert membership_of(circle, bob) is None
    assert client.get(reverse("circles:charter", args=[circle.pk])).status_code == 404

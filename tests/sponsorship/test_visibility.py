"""Who sees which opportunity and nomination: the rules on the querysets, which every
sponsorship page goes through."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerhaven.circles.actions import do_agree_to_charter
from peerhaven.circles.models import Membership
from peerhaven.communities.models import Member
from peerhaven.programs.models import Enrollment
from peerhaven.sponsorship.models import Nomination, Opportunity
from tests.conftest import make_circle, make_member

pytestmark = pytest.mark.django_db


def opportunity(**fields) -> Opportunity:
    fields.setdefault("kind", Opportunity.Kind.AWARD)
    fields.setdefault("title", "An award")
    fields.setdefault("deadline", timezone.localdate() + dt.timedelta(days=10))
    fields.setdefault("audience", Opportunity.Audience.EVERYONE)
    return Opportunity.objects.create(**fields)


def visible(user) -> set[int]:
    return set(Opportunity.objects.visible_to(user).values_list("pk", flat=True))


def test_everyone_audience_is_seen_by_every_member_and_nobody_signed_out(alice, carol):
    from django.contrib.auth.models import AnonymousUser

    shared = opportunity()
    assert shared.pk in visible(alice)
    assert shared.pk in visible(carol)
    assert visible(AnonymousUser()) == set()


def test_circle_audience_is_for_current_members_only(
    sample_circle, alice, bob, carol, dana, sam, erin
):
    circle = sample_circle["circle"]
    only_circle = opportunity(audience=Opportunity.Audience.CIRCLE, circle=circle, posted_by=bob)
    assert only_circle.pk in visible(alice)
    # Erin joined but has not agreed to the charter: she reads nothing of the circle yet.
    assert only_circle.pk not in visible(erin)
    do_agree_to_charter(Membership.objects.get(circle=circle, user=erin))
    assert only_circle.pk in visible(erin)
    # Staff of the circle's organization and site admins are outside the circle.
    for outsider in (carol, dana, sam):
        assert only_circle.pk not in visible(outsider)
    Membership.objects.filter(circle=circle, user=alice).update(state=Membership.State.LEFT)
    assert only_circle.pk not in visible(alice)


def test_a_circle_without_a_charter_is_readable_by_its_members(alice, bob):
    from peerhaven.circles.models import CharterVersion

    circle = make_circle(alice, [bob])
    CharterVersion.objects.filter(circle=circle).delete()
    only_circle = opportunity(audience=Opportunity.Audience.CIRCLE, circle=circle)
    assert only_circle.pk in visible(bob)


def test_a_poster_who_left_the_circle_still_sees_what_they_posted(sample_circle, bob):
    only_circle = opportunity(
        audience=Opportunity.Audience.CIRCLE, circle=sample_circle["circle"], posted_by=bob
    )
    Membership.objects.filter(user=bob).update(state=Membership.State.LEFT)
    assert only_circle.pk in visible(bob)


def test_community_audience_is_for_active_members(sample_community, bob, carol):
    for_community = opportunity(
        audience=Opportunity.Audience.COMMUNITY, community=sample_community["community"]
    )
    assert for_community.pk in visible(bob)
    assert for_community.pk not in visible(carol)
    Member.objects.filter(user=bob).update(state=Member.State.LEFT)
    assert for_community.pk not in visible(bob)


def test_organization_audience_reaches_its_staff_circles_communities_and_programs(
    lakeshore, dana, rhea, carol, sam, sample_program
):
    for_lakeshore = opportunity(audience=Opportunity.Audience.ORGANIZATION, organization=lakeshore)
    for insider in (dana, rhea):
        assert for_lakeshore.pk in visible(insider)
    for outsider in (carol, sam):
        assert for_lakeshore.pk not in visible(outsider)
    # An applicant is not yet one of the organization's people; an accepted participant is.
    enrolled = make_member("new@example.org", "New Faculty")
    enrollment = Enrollment.objects.create(
        program=sample_program["program"], user=enrolled, email=enrolled.email, name="New"
    )
    assert for_lakeshore.pk not in visible(enrolled)
    enrollment.state = Enrollment.State.ACCEPTED
    enrollment.save()
    assert for_lakeshore.pk in visible(enrolled)


def test_a_nominee_sees_the_opportunity_they_were_nominated_for(sample_circle, alice, carol):
    only_circle = opportunity(
        audience=Opportunity.Audience.CIRCLE, circle=sample_circle["circle"], posted_by=alice
    )
    Nomination.objects.create(opportunity=only_circle, nominee=carol, nominator=alice)
    assert only_circle.pk in visible(carol)


def test_a_declined_nomination_is_seen_by_its_nominee_only(sample_sponsorship, alice, bob, erin):
    nomination = sample_sponsorship["nomination"]

    def sees(user):
        return Nomination.objects.visible_to(user).filter(pk=nomination.pk).exists()

    assert sees(alice)
    assert sees(bob)
    assert not sees(erin)
    nomination.response = Nomination.Response.DECLINED
    nomination.save()
    assert sees(bob)
    assert not sees(alice)


def test_put_forward_counts_only_accepted_nominations_past_draft(sample_sponsorship, alice):
    base = sample_sponsorship["nomination"]
    states = {
        ("accepted", "submitted"): True,
        ("accepted", "selected"): True,
        ("accepted", "not_selected"): True,
        ("accepted", "draft"): False,
        ("accepted", "withdrawn"): False,
        ("pending", "draft"): False,
        ("declined", "draft"): False,
    }
    for (response, status), counted in states.items():
        base.response, base.status = response, status
        base.save()
        assert Nomination.objects.put_forward().filter(pk=base.pk).exists() is counted

"""The discussion between meetings: messages, one level of replies, and e-mail notices that
say a message arrived but never what it says."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from peerhaven.circles.models import Membership, Message
from tests.circles.conftest import membership_of
from tests.conftest import make_circle

pytestmark = pytest.mark.django_db

SECRET = "My chair asked me to drop the grant; I am thinking of leaving."


@pytest.fixture
def circle(alice, bob, carol, frank):
    """bob wants an e-mail per message, carol a daily digest, frank none."""
    circle = make_circle(alice, [bob, carol, frank], name="Thursday Lunch Circle")
    for user, notify in ((alice, "each"), (bob, "each"), (carol, "daily"), (frank, "none")):
        Membership.objects.filter(circle=circle, user=user).update(notify=notify)
    return circle


def post(client, circle, body, parent=None, capture=None):
    data = {"body": body} if parent is None else {"body": body, "parent": parent.pk}
    url = reverse("circles:thread", args=[circle.pk])
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def test_posting_a_message_shows_it_to_members(circle, alice, bob, client_for):
    response = post(client_for(alice), circle, SECRET)
    assert response.url == reverse("circles:thread", args=[circle.pk])
    message = Message.objects.get()
    assert (message.author, message.body, message.parent) == (alice, SECRET, None)
    page = client_for(bob).get(reverse("circles:thread", args=[circle.pk]))
    assert SECRET in page.content.decode()
    assert "Alice Adams" in page.content.decode()


def test_replies_are_one_level_deep(circle, alice, bob, carol, client_for):
    post(client_for(alice), circle, "Top")
    top = Message.objects.get()
    post(client_for(bob), circle, "A reply", parent=top)
    reply = Message.objects.latest("pk")
    post(client_for(carol), circle, "A reply to the reply", parent=reply)
    nested = Message.objects.latest("pk")
    assert nested.body == "A reply to the reply"
    assert reply.parent == top
    assert nested.parent == top  # attached to the thread, not to the reply
    page = client_for(alice).get(reverse("circles:thread", args=[circle.pk]))
    threads = list(page.context["threads"])
    assert threads == [top]
    assert [r.body for r in threads[0].replies.all()] == ["A reply", "A reply to the reply"]


def test_a_parent_from_another_circle_or_made_up_starts_a_new_thread(
    circle, alice, bob, gina, client_for
):
    other = make_circle(gina, [], name="Elsewhere")
    post(client_for(gina), other, "Not yours")
    foreign = Message.objects.get()
    post(client_for(bob), circle, "Hello", parent=foreign)
    client_for(bob).post(
        reverse("circles:thread", args=[circle.pk]), {"body": "Odd", "parent": "not-a-number"}
    )
    assert list(Message.objects.filter(circle=circle).values_list("parent", flat=True)) == [
        None,
        None,
    ]
    assert Message.objects.filter(circle=other).count() == 1


@pytest.mark.parametrize(("body", "error"), [("", "required"), ("x" * 10001, "at most 10000")])
def test_an_empty_or_overlong_message_is_refused(circle, bob, client_for, body, error):
    response = post(client_for(bob), circle, body)
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["body"])
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_notices_follow_each_members_preference_and_carry_no_content(
    circle, alice, bob, client_for, django_capture_on_commit_callbacks
):
    post(client_for(alice), circle, SECRET, capture=django_capture_on_commit_callbacks)
    [notice] = mail.outbox  # bob wants each; carol a digest; frank none; alice wrote it
    assert notice.to == ["bob@example.org"]
    assert notice.subject == "[Peerhaven] New message in Thursday Lunch Circle"
    html = notice.alternatives[0][0]
    for text in (notice.subject, notice.body, html):
        assert SECRET not in text
        assert "grant" not in text
    assert reverse("circles:thread", args=[circle.pk]) in notice.body

    mail.outbox.clear()
    top = Message.objects.get()
    post(
        client_for(bob),
        circle,
        "Sorry to hear",
        parent=top,
        capture=django_capture_on_commit_callbacks,
    )
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert "Sorry to hear" not in mail.outbox[0].body


def test_changing_the_preference_changes_the_notices(
    circle, alice, frank, client_for, django_capture_on_commit_callbacks
):
    response = client_for(frank).post(
        reverse("circles:notification_preference", args=[circle.pk]), {"notify": "each"}
    )
    assert response.status_code == 302
    assert membership_of(circle, frank).notify == "each"
    client_for(frank).post(
        reverse("circles:notification_preference", args=[circle.pk]), {"notify": "hourly"}
    )
    assert membership_of(circle, frank).notify == "each"  # an unknown choice changes nothing
    post(client_for(alice), circle, "Hi", capture=django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == ["bob@example.org", "frank@example.org"]


def test_the_daily_digest_counts_messages_without_content(
    circle, alice, bob, carol, client_for, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    post(client_for(alice), circle, SECRET)
    post(client_for(carol), circle, "Mine does not count for me")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_circle_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [digest] = mail.outbox
    assert digest.to == ["carol@example.org"]
    assert "1 new message in" in digest.body
    assert SECRET not in digest.body
    assert SECRET not in digest.alternatives[0][0]


def test_no_notice_goes_to_former_members_or_members_of_other_circles(
    circle, alice, bob, gina, client_for, django_capture_on_commit_callbacks
):
    from peerhaven.circles.actions import do_leave

    other = make_circle(gina, [], name="Elsewhere")
    Membership.objects.filter(circle=other).update(notify="each")
    do_leave(membership_of(circle, bob))
    post(client_for(alice), circle, "Hi", capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []

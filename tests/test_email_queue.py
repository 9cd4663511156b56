from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from peerhaven.notifications.tasks import serialize_message

pytestmark = pytest.mark.django_db(transaction=True)


def send_welcome():
    message = EmailMultiAlternatives(
        "Welcome", "Plain body", "from@example.org", ["bob@example.org"], headers={"X-Tag": "1"}
    )
    message.attach_alternative("<p>HTML body</p>", "text/html")
    message.send()


def test_mail_leaves_only_after_the_transaction_commits():
    with transaction.atomic():
        send_welcome()
        assert mail.outbox == []  # never inside the transaction
    [delivered] = mail.outbox
    assert delivered.subject == "Welcome"
    assert delivered.alternatives[0][0] == "<p>HTML body</p>"
    assert delivered.extra_headers["X-Tag"] == "1"


def send_welcome_then_fail():
    with transaction.atomic():
        send_welcome()
        raise RuntimeError("the write failed")


def test_mail_of_a_rolled_back_transaction_is_never_sent():
    with pytest.raises(RuntimeError):
        send_welcome_then_fail()
    assert mail.outbox == []


def test_queued_mail_waits_in_the_database_for_the_worker(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_welcome()
    assert mail.outbox == []
    [queued] = DBTaskResult.objects.all()
    assert queued.task_path == "peerhaven.notifications.tasks.deliver_email"
    assert queued.args_kwargs["args"][0]["to"] == ["bob@example.org"]


def test_serialized_message_is_plain_json_data():
    import json

    message = EmailMultiAlternatives(
        "S", "B", "f@example.org", ["t@example.org"], cc=["c@example.org"]
    )
    payload = serialize_message(message)
    assert json.loads(json.dumps(payload)) == payload
    assert payload["cc"] == ["c@example.org"]


def test_a_batch_is_queued_for_the_worker_in_one_go(settings):
    from django_tasks_db.models import DBTaskResult

    from peerhaven.notifications.email import send_all

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    messages = [
        EmailMultiAlternatives("Digest", "Body", "from@example.org", [f"m{n}@example.org"])
        for n in range(3)
    ]
    with transaction.atomic():
        send_all(messages)
        assert DBTaskResult.objects.count() == 0  # nothing before the commit
    queued = DBTaskResult.objects.order_by("enqueued_at")
    assert [task.args_kwargs["args"][0]["to"] for task in queued] == [
        ["m0@example.org"],
        ["m1@example.org"],
        ["m2@example.org"],
    ]

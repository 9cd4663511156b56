"""Every e-mail Peerhaven sends (allauth's included) goes through this backend: it never
talks to a mail server inside a request, and it sends nothing for a transaction that
rolls back. The message is queued once the transaction commits; the worker delivers it."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from peerhaven.notifications.tasks import deliver_email, serialize_message


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        payloads = [serialize_message(message) for message in email_messages]
        transaction.on_commit(lambda: _enqueue_all(payloads))
        return len(email_messages)


def _enqueue_all(payloads: list[dict]) -> None:
    """One transaction for a whole batch: queueing 500 digests is one commit, not 500."""
    with transaction.atomic():
        for payload in payloads:
            deliver_email.enqueue(payload)

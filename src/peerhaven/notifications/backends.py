"""Every e-mail Peerhaven sends (allauth's included) goes through this backend: it never
talks to a mail server inside a request, and it sends nothing for a transaction that
rolls back. The message is queued once the transaction commits; the worker delivers it."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from peerhaven.notifications.tasks import deliver_email, serialize_message


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        for message in email_messages:
            payload = serialize_message(message)
            transaction.on_commit(lambda payload=payload: deliver_email.enqueue(payload))
        return len(email_messages)

"""E-mail as named functions over templates: each message has ``emails/<name>_subject.txt``,
``emails/<name>.txt`` and ``emails/<name>.html``. Sending goes through the queued backend,
so nothing leaves before the surrounding transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string


def absolute_url(path: str) -> str:
    return settings.PEERHAVEN_BASE_URL.rstrip("/") + path


def send_templated(name: str, to: list[str], context: dict, *, headers: dict | None = None) -> None:
    render_templated(name, to, context, headers=headers).send()


def send_all(messages: list[EmailMultiAlternatives]) -> None:
    """Many messages at once (a digest run's batch): the queued backend hands them to the
    worker in one transaction instead of one commit per e-mail."""
    if messages:
        get_connection().send_messages(messages)


def render_templated(
    name: str, to: list[str], context: dict, *, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"base_url": settings.PEERHAVEN_BASE_URL.rstrip("/"), **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=render_to_string(f"emails/{name}.txt", context),
        to=to,
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"emails/{name}.html", context), "text/html")
    return message

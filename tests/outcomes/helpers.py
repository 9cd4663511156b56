"""Survey data written straight to the database, as the report, the research export and the
survey pages read it: no invitation is checked and no e-mail is sent."""

from __future__ import annotations

import datetime as dt

from peerhaven.outcomes.models import Answer, Question, Response, Wave
from peerhaven.outcomes.pseudonyms import pseudonym

DAYS_OPEN = 21


def make_wave(program, instrument, *, label: str, opens_on: dt.date, months=0, **fields) -> Wave:
    """A wave of ``instrument`` open for three weeks from ``opens_on`` (or until
    ``closes_on``); other ``fields`` as given."""
    fields.setdefault("closes_on", opens_on + dt.timedelta(days=DAYS_OPEN))
    return Wave.objects.create(
        program=program,
        instrument=instrument,
        label=label,
        months_after_start=months,
        opens_on=opens_on,
        **fields,
    )


def respond(wave, user, values: dict, *, submitted_on: dt.date) -> Response:
    """``user``'s response to ``wave``; ``values`` by question key, a text question's value
    stored as its text."""
    response = Response.objects.create(
        wave=wave, pseudonym=pseudonym(wave.program_id, user.pk), submitted_on=submitted_on
    )
    questions = {q.key: q for q in wave.instrument.questions.all()}
    for key, value in values.items():
        if questions[key].kind == Question.Kind.TEXT:
            Answer.objects.create(response=response, question=questions[key], text=value)
        else:
            Answer.objects.create(response=response, question=questions[key], value=value)
    return response

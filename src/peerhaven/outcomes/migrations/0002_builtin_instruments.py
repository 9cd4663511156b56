"""The built-in survey instruments, written for Peerhaven.

A frozen copy of ``peerhaven/outcomes/instruments.py`` as it was when released: a
migration must not import app code that may change later. A test checks that the two
still agree. Reversing removes the built-ins (and, through the database's cascade, only
their questions; waves protect an instrument in use)."""

from __future__ import annotations

from django.db import migrations

NOVICE_EXPERT = ("Novice", "Expert")
SATISFIED = ("Very dissatisfied", "Very satisfied")
AGREE = ("Strongly disagree", "Strongly agree")

BURNOUT_OPTIONS = (
    "My work gives me energy and I notice no signs of burnout.\n"
    "Work is stressful at times and my energy dips, but I would not call it burnout.\n"
    "I am starting to burn out: I often feel worn out, physically or emotionally.\n"
    "Signs of burnout stay with me, and frustrations at work are often on my mind.\n"
    "I feel fully burned out and may need a change, or some help, to carry on."
)

# key: (kind, prompt, choices, (low label, high label), required)
QUESTIONS = {
    "mastery_manuscript": (
        "likert",
        "Your skill today: writing manuscripts for peer-reviewed journals",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "mastery_grant": (
        "likert",
        "Your skill today: writing grant proposals",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "mastery_negotiation": (
        "likert",
        "Your skill today: negotiating for resources, time or position",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "mastery_networking": (
        "likert",
        "Your skill today: building a professional network",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "mastery_leadership": (
        "likert",
        "Your skill today: leading a team, project or committee",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "mastery_worklife": (
        "likert",
        "Your skill today: integrating work with life outside work",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "mastery_career": (
        "likert",
        "Your skill today: planning the next steps of your career",
        "",
        NOVICE_EXPERT,
        True,
    ),
    "job_satisfaction": (
        "likert",
        "All things considered, how satisfied are you with your job?",
        "",
        SATISFIED,
        True,
    ),
    "burnout": (
        "single",
        "Which statement best describes how you feel about your work right now?",
        BURNOUT_OPTIONS,
        ("", ""),
        True,
    ),
    "belonging": (
        "likert",
        "I feel that I belong among the colleagues at my institution.",
        "",
        AGREE,
        True,
    ),
    "circle_satisfaction": (
        "likert",
        "How satisfied are you with your peer-mentoring circle? "
        "Skip this if you are not in a circle.",
        "",
        SATISFIED,
        False,
    ),
}

MASTERY = [
    "mastery_manuscript",
    "mastery_grant",
    "mastery_negotiation",
    "mastery_networking",
    "mastery_leadership",
    "mastery_worklife",
    "mastery_career",
]

# (key, name, description, question keys)
INSTRUMENTS = [
    (
        "core-outcomes",
        "Peer mentoring outcomes (core)",
        "Self-rated mastery of seven academic skills, job satisfaction, burnout, sense of "
        "belonging and satisfaction with one's circle. About 4 minutes.",
        [*MASTERY, "job_satisfaction", "burnout", "belonging", "circle_satisfaction"],
    ),
    (
        "academic-mastery",
        "Mastery of academic skills",
        "How skilled you feel today in seven areas, from 1 (novice) to 5 (expert).",
        MASTERY,
    ),
    (
        "job-satisfaction",
        "Job satisfaction",
        "One question on overall job satisfaction.",
        ["job_satisfaction"],
    ),
    (
        "burnout",
        "Burnout (single item)",
        "One question: five statements from no burnout to complete burnout.",
        ["burnout"],
    ),
    (
        "belonging",
        "Sense of belonging",
        "One question on belonging among colleagues.",
        ["belonging"],
    ),
    (
        "circle-satisfaction",
        "Satisfaction with one's circle",
        "One question on the member's peer-mentoring circle.",
        ["circle_satisfaction"],
    ),
]


def create_builtins(apps, schema_editor):
    Instrument = apps.get_model("outcomes", "Instrument")
    Question = apps.get_model("outcomes", "Question")
    for key, name, description, question_keys in INSTRUMENTS:
        instrument, created = Instrument.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "organization": None}
        )
        if not created:
            continue
        for position, question_key in enumerate(question_keys, start=1):
            kind, prompt, choices, (low, high), required = QUESTIONS[question_key]
            Question.objects.create(
                instrument=instrument,
                key=question_key,
                position=position,
                kind=kind,
                prompt=prompt,
                choices=choices,
                low_label=low,
                high_label=high,
                required=required,
            )


def remove_builtins(apps, schema_editor):
    Instrument = apps.get_model("outcomes", "Instrument")
    Question = apps.get_model("outcomes", "Question")
    keys = [key for key, *_ in INSTRUMENTS]
    Question.objects.filter(instrument__key__in=keys, instrument__organization=None).delete()
    Instrument.objects.filter(key__in=keys, organization=None).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_initial")]

    operations = [migrations.RunPython(create_builtins, remove_builtins)]

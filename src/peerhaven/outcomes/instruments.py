"""The built-in survey instruments, written for Peerhaven (no copyrighted scale is used).

Migration ``0002_builtin_instruments`` keeps a frozen copy of these definitions, because a
migration must still run years later whatever this module has become;
``tests/outcomes/test_surveys.py`` checks that the two agree, so a change made here
without a new migration fails there.

The keys are relied on by the program report and the research export: an instrument's
``key`` and each question's ``key`` must never change once released."""

from __future__ import annotations

MASTERY_LOW, MASTERY_HIGH = "Novice", "Expert"
SATISFIED_LOW, SATISFIED_HIGH = "Very dissatisfied", "Very satisfied"
AGREE_LOW, AGREE_HIGH = "Strongly disagree", "Strongly agree"

MASTERY = [
    ("mastery_manuscript", "Writing manuscripts for peer-reviewed journals"),
    ("mastery_grant", "Writing grant proposals"),
    ("mastery_negotiation", "Negotiating for resources, time or position"),
    ("mastery_networking", "Building a professional network"),
    ("mastery_leadership", "Leading a team, project or committee"),
    ("mastery_worklife", "Integrating work with life outside work"),
    ("mastery_career", "Planning the next steps of your career"),
]

# One statement per step, from no sign of burnout to complete burnout; the report scores
# an answer by its position in this list (1–5).
BURNOUT_OPTIONS = [
    "My work gives me energy and I notice no signs of burnout.",
    "Work is stressful at times and my energy dips, but I would not call it burnout.",
    "I am starting to burn out: I often feel worn out, physically or emotionally.",
    "Signs of burnout stay with me, and frustrations at work are often on my mind.",
    "I feel fully burned out and may need a change, or some help, to carry on.",
]


def _likert(key: str, prompt: str, low: str, high: str, *, required: bool = True) -> dict:
    return {
        "key": key,
        "kind": "likert",
        "prompt": prompt,
        "choices": "",
        "low_label": low,
        "high_label": high,
        "required": required,
    }


MASTERY_QUESTIONS = [
    _likert(key, f"Your skill today: {topic.lower()}", MASTERY_LOW, MASTERY_HIGH)
    for key, topic in MASTERY
]
JOB_SATISFACTION = _likert(
    "job_satisfaction",
    "All things considered, how satisfied are you with your job?",
    SATISFIED_LOW,
    SATISFIED_HIGH,
)
BURNOUT = {
    "key": "burnout",
    "kind": "single",
    "prompt": "Which statement best describes how you feel about your work right now?",
    "choices": "\n".join(BURNOUT_OPTIONS),
    "low_label": "",
    "high_label": "",
    "required": True,
}
BELONGING = _likert(
    "belonging",
    "I feel that I belong among the colleagues at my institution.",
    AGREE_LOW,
    AGREE_HIGH,
)
CIRCLE_SATISFACTION = _likert(
    "circle_satisfaction",
    "How satisfied are you with your peer-mentoring circle? Skip this if you are not in a circle.",
    SATISFIED_LOW,
    SATISFIED_HIGH,
    required=False,
)

BUILTIN_INSTRUMENTS = [
    {
        "key": "core-outcomes",
        "name": "Peer mentoring outcomes (core)",
        "description": "Self-rated mastery of seven academic skills, job satisfaction, "
        "burnout, sense of belonging and satisfaction with one's circle. About 4 minutes.",
        "questions": [
            *MASTERY_QUESTIONS,
            JOB_SATISFACTION,
            BURNOUT,
            BELONGING,
            CIRCLE_SATISFACTION,
        ],
    },
    {
        "key": "academic-mastery",
        "name": "Mastery of academic skills",
        "description": "How skilled you feel today in seven areas, from 1 (novice) to 5 (expert).",
        "questions": MASTERY_QUESTIONS,
    },
    {
        "key": "job-satisfaction",
        "name": "Job satisfaction",
        "description": "One question on overall job satisfaction.",
        "questions": [JOB_SATISFACTION],
    },
    {
        "key": "burnout",
        "name": "Burnout (single item)",
        "description": "One question: five statements from no burnout to complete burnout.",
        "questions": [BURNOUT],
    },
    {
        "key": "belonging",
        "name": "Sense of belonging",
        "description": "One question on belonging among colleagues.",
        "questions": [BELONGING],
    },
    {
        "key": "circle-satisfaction",
        "name": "Satisfaction with one's circle",
        "description": "One question on the member's peer-mentoring circle.",
        "questions": [CIRCLE_SATISFACTION],
    },
]

DEFAULT_INSTRUMENT_KEY = "core-outcomes"

"""Demo data for `make run`: one institution, about forty faculty and trainees, and one
account per role. Runs only on an empty database; always prints the demo sign-ins."""

from __future__ import annotations

import random

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import import_string

from peerhaven.accounts import availability
from peerhaven.accounts.actions import do_create_member, do_give_sensitive_consent
from peerhaven.accounts.choices import CareerStage, MeetingPreference, Specialty, Track
from peerhaven.accounts.models import Interest, SelfDescription, Separation, User
from peerhaven.orgs.models import Organization, StaffRole

DEMO_PASSWORD = "peerhaven-demo"
DEMO_DOMAIN = "demo.peerhaven.org"
INSTITUTION = "Lakeshore University School of Medicine"

# (e-mail local part, role as shown, name, career stage, department)
ROLE_ACCOUNTS = [
    ("member", "Member", "Maya Okafor, MD", CareerStage.ASSISTANT_PROFESSOR, "Medicine"),
    (
        "convener",
        "Circle convener",
        "Priya Raman, MD",
        CareerStage.ASSOCIATE_PROFESSOR,
        "Pediatrics",
    ),
    (
        "coordinator",
        "Program coordinator",
        "Jordan Lee",
        CareerStage.STAFF_OTHER,
        "Faculty Affairs",
    ),
    (
        "moderator",
        "Community moderator",
        "Elena Vasquez, MD",
        CareerStage.ASSOCIATE_PROFESSOR,
        "Surgery",
    ),
    (
        "researcher",
        "Researcher",
        "Samuel Adeyemi, PhD",
        CareerStage.ASSOCIATE_PROFESSOR,
        "Medical Education",
    ),
    ("admin", "Site admin", "Site Administrator", CareerStage.STAFF_OTHER, "Information Services"),
]

FIRST_NAMES = [
    "Aisha",
    "Benjamin",
    "Carmen",
    "Daniel",
    "Esther",
    "Farah",
    "Gabriel",
    "Hannah",
    "Isaac",
    "Jasmine",
    "Kenji",
    "Leila",
    "Marcus",
    "Nadia",
    "Omar",
    "Paula",
    "Quinn",
    "Rosa",
    "Tariq",
    "Uma",
    "Victor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoe",
    "Alejandro",
    "Bianca",
    "Chidi",
    "Deepa",
    "Emeka",
    "Fatima",
    "Grace",
    "Hector",
    "Ines",
    "Jamal",
    "Keiko",
    "Lucia",
    "Mateo",
    "Nia",
]
LAST_NAMES = [
    "Abara",
    "Bianchi",
    "Chen",
    "Delgado",
    "Eriksen",
    "Farouk",
    "Goldberg",
    "Hernandez",
    "Ito",
    "Johnson",
    "Kowalski",
    "Liu",
    "Mensah",
    "Nguyen",
    "Osei",
    "Patel",
    "Quintero",
    "Rossi",
    "Singh",
    "Thompson",
    "Usman",
    "Vargas",
    "Williams",
    "Xu",
    "Yamamoto",
    "Zimmerman",
    "Ahmed",
    "Brooks",
    "Castillo",
    "Dubois",
    "Ekwueme",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ibrahim",
    "Kim",
]
DEPARTMENTS = [
    (
        "Medicine",
        [
            Specialty.INTERNAL_MEDICINE,
            Specialty.CARDIOLOGY,
            Specialty.ENDOCRINOLOGY,
            Specialty.INFECTIOUS_DISEASE,
            Specialty.HOSPITAL_MEDICINE,
        ],
    ),
    ("Pediatrics", [Specialty.PEDIATRICS]),
    ("Surgery", [Specialty.SURGERY, Specialty.UROLOGY]),
    ("Psychiatry", [Specialty.PSYCHIATRY]),
    ("Emergency Medicine", [Specialty.EMERGENCY_MEDICINE]),
    ("Obstetrics and Gynecology", [Specialty.OBSTETRICS_GYNECOLOGY]),
    ("Neurology", [Specialty.NEUROLOGY]),
    ("Family Medicine", [Specialty.FAMILY_MEDICINE]),
    ("Radiology", [Specialty.RADIOLOGY]),
    ("Anesthesiology", [Specialty.ANESTHESIOLOGY]),
]
STAGES = [
    (CareerStage.RESIDENT, 4),
    (CareerStage.FELLOW, 4),
    (CareerStage.INSTRUCTOR, 4),
    (CareerStage.ASSISTANT_PROFESSOR, 12),
    (CareerStage.ASSOCIATE_PROFESSOR, 8),
    (CareerStage.PROFESSOR, 4),
    (CareerStage.POSTDOC, 2),
    (CareerStage.MEDICAL_STUDENT, 2),
]
TIME_ZONES = [
    ("America/Chicago", 30),
    ("America/New_York", 5),
    ("America/Denver", 2),
    ("America/Los_Angeles", 3),
]
INTERESTS = [
    "medical education",
    "health equity",
    "quality improvement",
    "clinical trials",
    "global health",
    "physician well-being",
    "health services research",
    "simulation",
    "palliative care",
    "genomics",
    "digital health",
    "community engagement",
    "leadership",
]
GOALS = [
    "Balancing a young family with a growing research program.",
    "Preparing my promotion dossier and finding sponsors outside my division.",
    "Getting my first R01 written without burning out.",
    "Learning to negotiate protected time for education work.",
    "Finding peers who understand being the only woman surgeon on my service.",
    "Building a teaching portfolio and a network beyond my department.",
]


class Command(BaseCommand):
    help = "Load demo data into an empty database and print the demo accounts."

    def handle(self, *args, **options):
        if User.objects.exists():
            self.stdout.write("Database already has people in it: demo data left as it is.")
        else:
            # Demo people are made up: none of the demo's invitations are e-mailed.
            dummy_mail = "django.core.mail.backends.dummy.EmailBackend"
            with override_settings(EMAIL_BACKEND=dummy_mail), transaction.atomic():
                seed(random.Random(2026))
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.print_accounts()

    def print_accounts(self):
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD})")
        for local, role, name, *_ in ROLE_ACCOUNTS:
            self.stdout.write(f"  {role:<20} {local + '@' + DEMO_DOMAIN:<34} {name}")


def seed(rng: random.Random) -> None:
    institution = Organization.objects.create(
        name=INSTITUTION, slug="lakeshore", kind=Organization.Kind.INSTITUTION
    )
    interests = Interest.from_names(INTERESTS)
    people = [
        _create_person(rng, f"{local}@{DEMO_DOMAIN}", name, stage, department, interests)
        for local, _role, name, stage, department in ROLE_ACCOUNTS
    ]
    people += [_create_peer(rng, index, interests) for index in range(40)]
    User.objects.filter(pk__in=[p.pk for p in people]).update(password=make_password(DEMO_PASSWORD))
    _grant_roles(institution, {p.email.split("@")[0]: p for p in people[: len(ROLE_ACCOUNTS)]})
    _add_separations(rng, people)
    _add_self_descriptions(rng, people)
    _run_app_seeders(rng, people)


def _create_peer(rng, index, interests):
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 7) % len(LAST_NAMES)]
    stage = rng.choices([s for s, _ in STAGES], weights=[w for _, w in STAGES])[0]
    suffix = ", MD" if stage not in (CareerStage.POSTDOC, CareerStage.MEDICAL_STUDENT) else ""
    department = rng.choice(DEPARTMENTS)[0]
    email = f"{first}.{last}@{DEMO_DOMAIN}".lower()
    return _create_person(rng, email, f"{first} {last}{suffix}", stage, department, interests)


def _create_person(rng, email, name, stage, department, interests):
    specialties = dict(DEPARTMENTS).get(department, [Specialty.OTHER])
    time_zone = rng.choices([z for z, _ in TIME_ZONES], weights=[w for _, w in TIME_ZONES])[0]
    user = do_create_member(
        email,
        None,
        display_name=name,
        pronouns=rng.choice(["she/her", "he/him", "they/them", ""]),
        career_stage=stage,
        rank_since_year=2026 - rng.randint(0, 9),
        track=rng.choice(Track.values),
        institution=INSTITUTION,
        department=department,
        specialty=rng.choice(specialties),
        specialty_other="Health administration" if Specialty.OTHER in specialties else "",
        goals=rng.choice(GOALS),
        time_zone=time_zone,
        city="Chicago" if time_zone == "America/Chicago" else "Remote",
        region="Illinois" if time_zone == "America/Chicago" else "",
        country="United States",
        meeting_preference=rng.choice(MeetingPreference.values),
        availability=_weekly_availability(rng),
    )
    user.profile.interests.set(rng.sample(interests, k=rng.randint(1, 4)))
    return user


# Most faculty at one institution share a protected lunch hour or two, which is what lets a
# program form circles that all meet; everyone adds a few blocks of their own.
SHARED_LUNCHES = [(1, "12:00"), (3, "12:00")]


def _weekly_availability(rng) -> list[int]:
    """Two to four one- or two-hour blocks on weekdays, favouring lunch and early evening."""
    starts = ["07:00", "12:00", "12:00", "17:00", "18:00"]
    slots = set()
    for day, start in SHARED_LUNCHES:
        if rng.random() < 0.6:
            slots |= _block(day, start, rows=2)
    for _ in range(rng.randint(2, 4)):
        day = rng.randint(0, 4)
        slots |= _block(day, rng.choice(starts), rows=rng.choice([2, 4]))
    return sorted(slots)


def _block(day: int, start: str, rows: int) -> set[int]:
    hour, minute = map(int, start.split(":"))
    first_row = (hour * 60 + minute) // availability.SLOT_MINUTES
    return {availability.slot_index(day, row) for row in range(first_row, first_row + rows)}


def _grant_roles(institution, accounts):
    StaffRole.objects.create(
        organization=institution, user=accounts["coordinator"], role=StaffRole.Role.COORDINATOR
    )
    StaffRole.objects.create(
        organization=institution, user=accounts["researcher"], role=StaffRole.Role.RESEARCHER
    )
    User.objects.filter(pk=accounts["admin"].pk).update(is_staff=True, is_superuser=True)


def _add_separations(rng, people):
    """About a third of the peers name a supervisor among the more senior faculty."""
    seniors = [p for p in people if p.profile.career_stage == CareerStage.PROFESSOR]
    for person in people[len(ROLE_ACCOUNTS) :]:
        if seniors and rng.random() < 0.3 and person not in seniors:
            Separation.objects.create(
                owner=person,
                relation=Separation.Relation.SUPERVISOR,
                email=rng.choice(seniors).email,
            )


def _add_self_descriptions(rng, people):
    """Some members describe themselves, mostly visible to nobody, as real members would."""
    for person in rng.sample(people, k=len(people) // 3):
        do_give_sensitive_consent(person)
        SelfDescription.objects.create(
            user=person,
            attribute="gender",
            value=rng.choice(["woman", "woman", "man", "non_binary"]),
            matching_allowed=rng.random() < 0.7,
            research_allowed=rng.random() < 0.6,
        )
        if rng.random() < 0.25:
            SelfDescription.objects.create(
                user=person, attribute="under_represented", value="yes", matching_allowed=True
            )


def _run_app_seeders(rng, people):
    """Each feature app adds its own demo data (settings.DEMO_SEEDERS), so this app does
    not have to know about them."""
    accounts = {local: person for (local, *_), person in zip(ROLE_ACCOUNTS, people, strict=False)}
    named = {**accounts, "peers": people[len(ROLE_ACCOUNTS) :]}
    for path in settings.DEMO_SEEDERS:
        import_string(path)(rng, named)

"""Every URL, as every role: the one place that shows who can reach what.

The table must name every URL pattern the resolver knows; a new URL without a row fails
``test_every_url_is_in_the_matrix``. Expected outcomes:

- a status code (200, 404, 405, ...)
- LOGIN: redirected to the sign-in page
- ADMIN_LOGIN: redirected to the admin's sign-in (which is allauth's, so MFA applies)
- REDIRECT: redirected elsewhere (a flow step, e.g. "you have no second factor yet")
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from peerhaven.accounts.models import Separation

pytestmark = pytest.mark.django_db

LOGIN, ADMIN_LOGIN, REDIRECT = "login", "admin-login", "redirect"
# outsider: signed in, in no circle of the sample; new_member: joined the sample circle but
# has not agreed to its charter yet; staff: coordinator of the organization that owns it.
ROLES = (
    "anonymous",
    "outsider",
    "new_member",
    "circle_member",
    "convener",
    "staff",
    "researcher",
    "site_admin",
)
CIRCLE_INSIDERS = ("new_member", "circle_member", "convener")


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {role: anonymous if role == "anonymous" else outcome for role in ROLES}


def circle_page(member=200, convener=None, new_member=REDIRECT):
    """Inside a circle: 404 for everyone outside it (staff and site admins included), the
    charter first for a member who has not agreed to it."""
    outcomes = dict.fromkeys(ROLES, 404)
    outcomes.update(
        anonymous=LOGIN,
        new_member=new_member,
        circle_member=member,
        convener=member if convener is None else convener,
    )
    return outcomes


def convener_page(convener=200):
    return circle_page(member=403, convener=convener)


def post_only(get=405):
    return signed_in(get)


def community_page(member=200, owner=None, new_member=None):
    """Inside a community: 404 for everyone who is not an active member of it (staff and
    site admins included). Erin (new_member) has joined but not agreed to the rules; Bob is
    a member; Alice owns it."""
    outcomes = signed_in(404)
    outcomes.update(
        new_member=member if new_member is None else new_member,
        circle_member=member,
        convener=member if owner is None else owner,
    )
    return outcomes


def moderator_page(moderator=200):
    return community_page(member=403, owner=moderator)


def program_page(staff=200, researcher=403, enrolled=404):
    """A program's staff page: 404 for anyone without a role at its organization (site
    admins included), 403 for a role that does not cover it. Bob is enrolled in it."""
    outcomes = signed_in(404)
    outcomes.update(staff=staff, researcher=researcher, circle_member=enrolled)
    return outcomes


def lakeshore_page(member=200, staff=None):
    """A page of an opportunity for Lakeshore's people: its staff, and the sample circle's
    members (a Lakeshore circle). 404 for Carol and the site admin, who are neither."""
    outcomes = signed_in(member)
    outcomes.update(outsider=404, site_admin=404)
    if staff is not None:
        outcomes["staff"] = staff
    return outcomes


def nomination_page(outcome=200, nominator=None, nominee=None):
    """A nomination's page: Alice (convener) made it, Bob (circle member) received it;
    everyone else, staff and site admins included, gets 404."""
    outcomes = signed_in(404)
    outcomes.update(
        convener=outcome if nominator is None else nominator,
        circle_member=outcome if nominee is None else nominee,
    )
    return outcomes


# (url name, method) -> {role: expected outcome}
MATRIX = {
    ("dashboard", "get"): everyone(200),
    ("accounts:profile_edit", "get"): signed_in(200),
    ("accounts:availability", "get"): signed_in(200),
    ("accounts:separation_add", "get"): signed_in(405),
    ("accounts:separation_remove", "get"): signed_in(405),
    # Only its owner (alice, the convener here) may remove her separation.
    ("accounts:separation_remove", "post"): {**signed_in(404), "convener": REDIRECT},
    ("accounts:private_profile", "get"): signed_in(200),
    ("accounts:private_profile_withdraw", "get"): signed_in(405),
    ("accounts:private_profile_withdraw", "post"): signed_in(REDIRECT),
    # Circles
    ("circles:list", "get"): signed_in(200),
    ("circles:create", "get"): signed_in(200),
    ("circles:invitation", "get"): everyone(200),
    ("circles:invitation_accept_own", "get"): post_only(),
    ("circles:invitation_accept_own", "post"): signed_in(REDIRECT),  # refused unless it is yours
    ("circles:calendar", "get"): signed_in(200),
    ("circles:calendar_feed", "get"): everyone(404),  # a made-up token
    ("circles:join", "get"): signed_in(200),  # the sample circle is listed
    ("circles:detail", "get"): circle_page(),
    ("circles:charter", "get"): circle_page(new_member=200),
    ("circles:charter", "post"): circle_page(REDIRECT, new_member=REDIRECT),
    ("circles:charter_edit", "get"): circle_page(),
    ("circles:members", "get"): circle_page(),
    ("circles:thread", "get"): circle_page(),
    ("circles:ask_create", "get"): circle_page(),
    ("circles:ask", "get"): circle_page(),
    ("circles:meeting", "get"): circle_page(),
    ("circles:meeting_ics", "get"): circle_page(),
    ("circles:live", "get"): circle_page(),
    ("circles:settings", "get"): convener_page(),
    ("circles:schedule", "get"): convener_page(),
    ("circles:meeting_move", "get"): convener_page(),
    ("circles:invite", "get"): post_only(),
    ("circles:invite", "post"): circle_page(200),  # the form again, with the missing address
    ("circles:invitation_revoke", "get"): post_only(),
    ("circles:invitation_revoke", "post"): convener_page(REDIRECT),
    ("circles:vote", "get"): post_only(),
    ("circles:vote", "post"): circle_page(REDIRECT),
    ("circles:leave", "get"): post_only(),
    ("circles:leave", "post"): circle_page(REDIRECT, new_member=REDIRECT),
    ("circles:transfer_convener", "get"): post_only(),
    ("circles:transfer_convener", "post"): convener_page(REDIRECT),
    ("circles:notification_preference", "get"): post_only(),
    ("circles:notification_preference", "post"): circle_page(REDIRECT),
    ("circles:change_state", "get"): post_only(),
    ("circles:change_state", "post"): convener_page(REDIRECT),
    ("circles:meeting_cancel", "get"): post_only(),
    ("circles:meeting_cancel", "post"): convener_page(REDIRECT),
    ("circles:agenda_reorder", "get"): post_only(),
    ("circles:agenda_reorder", "post"): convener_page(REDIRECT),
    ("circles:attendance", "get"): post_only(),
    ("circles:attendance", "post"): circle_page(REDIRECT),
    ("circles:action_item_toggle", "get"): post_only(),
    ("circles:action_item_toggle", "post"): circle_page(REDIRECT),
    ("circles:live_start", "get"): post_only(),
    ("circles:live_start", "post"): circle_page(REDIRECT),
    ("circles:live_finish", "get"): post_only(),
    ("circles:live_finish", "post"): circle_page(REDIRECT),
    ("circles:live_note", "get"): post_only(),
    ("circles:live_note", "post"): circle_page(REDIRECT),
    # Programs (the sample program is Lakeshore's; dana coordinates, rhea researches)
    ("programs:list", "get"): signed_in(200),
    ("programs:facilitating", "get"): signed_in(200),
    ("programs:create", "get"): {**signed_in(403), "staff": 200},
    ("programs:detail", "get"): program_page(researcher=200),
    ("programs:edit", "get"): program_page(),
    ("programs:policy", "get"): program_page(),
    ("programs:enrollments", "get"): program_page(),
    ("programs:questions", "get"): program_page(),
    ("programs:roster", "get"): program_page(),
    ("programs:enrollment_state", "get"): post_only(),
    ("programs:enrollment_state", "post"): program_page(REDIRECT),
    ("programs:question_delete", "get"): post_only(),
    ("programs:question_delete", "post"): program_page(REDIRECT),
    ("programs:roster_confirm", "get"): post_only(),
    ("programs:roster_confirm", "post"): program_page(REDIRECT),
    ("programs:join_link", "get"): post_only(),
    ("programs:join_link", "post"): program_page(REDIRECT),
    ("programs:join", "get"): signed_in(404),  # a made-up token
    ("programs:runs", "get"): program_page(researcher=200),
    ("programs:run", "get"): program_page(researcher=200),
    ("programs:run_start", "get"): post_only(),
    ("programs:run_start", "post"): program_page(REDIRECT),
    ("programs:place_late_joiners", "get"): post_only(),
    ("programs:place_late_joiners", "post"): program_page(REDIRECT),
    ("programs:run_cancel", "get"): post_only(),
    ("programs:run_cancel", "post"): program_page(REDIRECT),
    ("programs:run_move", "get"): post_only(),
    ("programs:run_move", "post"): program_page(REDIRECT),
    ("programs:run_lock", "get"): post_only(),
    ("programs:run_lock", "post"): program_page(REDIRECT),
    ("programs:run_rerun", "get"): post_only(),
    ("programs:run_rerun", "post"): program_page(REDIRECT),
    ("programs:run_publish", "get"): post_only(),
    ("programs:run_publish", "post"): program_page(REDIRECT),
    # Members: only Bob, who is enrolled, has an application and an intake form.
    ("programs:apply", "get"): {**signed_in(404), "circle_member": 200},
    ("programs:intake", "get"): {**signed_in(404), "circle_member": 200},
    ("programs:pair", "get"): signed_in(404),  # nobody has a partner in the sample program
    # Outcomes — research export: the program's researchers only; coordinators get 403. The
    # POST carries a wrong password (POST_DATA), so the researcher sees the form again.
    ("outcomes:research_export", "get"): program_page(staff=403, researcher=200),
    ("outcomes:research_export", "post"): program_page(staff=403, researcher=200),
    # Outcomes — surveys. Only Bob is invited to the sample wave (open today): its form is
    # 404 to everyone else, staff included. Staff pages: managers act, facilitators and
    # researchers see the waves and instruments; the sample wave has opened, so editing it
    # sends back to the waves page.
    ("outcomes:surveys", "get"): signed_in(200),
    ("outcomes:survey_answer", "get"): {**signed_in(404), "circle_member": 200},
    ("outcomes:survey_answer", "post"): {**signed_in(404), "circle_member": 200},  # form again
    ("outcomes:waves", "get"): program_page(researcher=200),
    ("outcomes:waves_standard", "get"): post_only(),
    ("outcomes:waves_standard", "post"): program_page(REDIRECT),
    ("outcomes:wave_create", "get"): program_page(),
    ("outcomes:wave_edit", "get"): program_page(REDIRECT),
    ("outcomes:wave_delete", "get"): post_only(),
    ("outcomes:wave_delete", "post"): program_page(REDIRECT),
    ("outcomes:wave_remind", "get"): post_only(),
    ("outcomes:wave_remind", "post"): program_page(REDIRECT),
    ("outcomes:instruments", "get"): program_page(researcher=200),
    ("outcomes:instrument_create", "get"): program_page(),
    ("outcomes:instrument", "get"): program_page(researcher=200),
    ("outcomes:instrument_edit", "get"): program_page(),
    ("outcomes:instrument_copy", "get"): post_only(),
    ("outcomes:instrument_copy", "post"): program_page(REDIRECT),
    ("outcomes:survey_question_add", "get"): post_only(),
    ("outcomes:survey_question_add", "post"): program_page(200),  # the form, prompt missing
    ("outcomes:survey_question_move", "get"): post_only(),
    ("outcomes:survey_question_move", "post"): program_page(REDIRECT),
    ("outcomes:survey_question_delete", "get"): post_only(),
    ("outcomes:survey_question_delete", "post"): program_page(REDIRECT),
    # Outcomes — achievements and the mentoring record: each member's own. The sample
    # achievement is Bob's, so it does not exist for anyone else (staff and site admins
    # included). Import previews are found by a fingerprint: a made-up one has expired.
    ("outcomes:achievements", "get"): signed_in(200),
    ("outcomes:achievement_add", "get"): signed_in(200),
    ("outcomes:achievement_edit", "get"): {**signed_in(404), "circle_member": 200},
    ("outcomes:achievement_edit", "post"): {**signed_in(404), "circle_member": 200},  # form again
    ("outcomes:achievement_delete", "get"): post_only(),
    ("outcomes:achievement_delete", "post"): {**signed_in(404), "circle_member": REDIRECT},
    ("outcomes:achievement_sharing", "get"): post_only(),
    ("outcomes:achievement_sharing", "post"): signed_in(REDIRECT),
    ("outcomes:achievement_import", "get"): signed_in(200),
    ("outcomes:achievement_import", "post"): signed_in(200),  # the form again: no file
    ("outcomes:achievement_import_preview", "get"): signed_in(REDIRECT),
    ("outcomes:achievement_import_confirm", "get"): post_only(),
    ("outcomes:achievement_import_confirm", "post"): signed_in(REDIRECT),
    ("outcomes:record", "get"): signed_in(200),
    ("outcomes:record_pdf", "get"): signed_in(200),
    # Outcomes — program report: every staff role (researchers too); 404 for anyone else,
    # site admins and the enrolled Bob included.
    ("outcomes:program_report", "get"): program_page(researcher=200),
    ("outcomes:program_report_pdf", "get"): program_page(researcher=200),
    # allauth: sign-in and sign-up pages send signed-in people home.
    ("account_login", "get"): signed_in(REDIRECT, anonymous=200),
    ("account_signup", "get"): signed_in(REDIRECT, anonymous=200),
    ("account_logout", "get"): signed_in(200, anonymous=REDIRECT),
    ("account_inactive", "get"): everyone(200),
    ("account_reauthenticate", "get"): signed_in(200),
    ("account_request_reauthentication_code", "get"): signed_in(200),
    ("account_confirm_reauthentication_code", "get"): signed_in(REDIRECT),
    ("account_email", "get"): signed_in(200),
    ("account_email_verification_sent", "get"): everyone(200),
    ("account_change_password", "get"): signed_in(200),
    ("account_set_password", "get"): signed_in(REDIRECT),
    ("account_reset_password", "get"): everyone(200),
    ("account_reset_password_done", "get"): everyone(200),
    ("account_reset_password_from_key", "get"): everyone(200),
    ("account_reset_password_from_key_done", "get"): everyone(200),
    ("account_confirm_login_code", "get"): signed_in(REDIRECT),
    ("account_confirm_email", "get"): everyone(200),
    ("mfa_index", "get"): signed_in(200),
    ("mfa_authenticate", "get"): signed_in(REDIRECT),
    ("mfa_reauthenticate", "get"): signed_in(REDIRECT),
    ("mfa_activate_totp", "get"): signed_in(REDIRECT),
    # Managing a second factor one does not have: there is nothing to show.
    ("mfa_deactivate_totp", "get"): signed_in(404),
    ("mfa_view_recovery_codes", "get"): signed_in(404),
    ("mfa_generate_recovery_codes", "get"): signed_in(REDIRECT),
    ("mfa_download_recovery_codes", "get"): signed_in(404),
    # Communities (the sample is Lakeshore's; alice owns it, bob and erin are members, erin
    # has not agreed to the rules; everyone else, staff and site admins included, is outside)
    ("communities:list", "get"): signed_in(200),
    ("communities:create", "get"): signed_in(200),
    ("communities:detail", "get"): signed_in(200),  # the front door for people outside
    ("communities:join", "get"): {**signed_in(200), **dict.fromkeys(CIRCLE_INSIDERS, REDIRECT)},
    ("communities:join", "post"): {**signed_in(200), **dict.fromkeys(CIRCLE_INSIDERS, REDIRECT)},
    ("communities:leave", "get"): post_only(),
    ("communities:leave", "post"): community_page(REDIRECT),
    ("communities:rules", "get"): community_page(),
    ("communities:rules", "post"): community_page(REDIRECT),
    ("communities:digest", "get"): post_only(),
    ("communities:digest", "post"): community_page(REDIRECT),
    ("communities:person", "get"): community_page(),
    ("communities:subgroups", "get"): community_page(),
    ("communities:subgroup_create", "get"): moderator_page(),
    ("communities:subgroup", "get"): community_page(),
    ("communities:subgroup_membership", "get"): post_only(),
    ("communities:subgroup_membership", "post"): community_page(REDIRECT),
    ("communities:subgroup_add_member", "get"): post_only(),
    ("communities:subgroup_add_member", "post"): moderator_page(REDIRECT),
    ("communities:post_create", "get"): community_page(new_member=REDIRECT),
    ("communities:post", "get"): community_page(),
    # Only the author (bob) edits a post; to everyone else it is not there.
    ("communities:post_edit", "get"): {**community_page(404), "circle_member": 200},
    ("communities:accept_answer", "get"): post_only(),
    ("communities:accept_answer", "post"): community_page(REDIRECT),
    ("communities:post_report", "get"): community_page(),
    ("communities:search", "get"): community_page(),
    ("communities:moderation", "get"): moderator_page(),
    ("communities:moderation_post", "get"): post_only(),
    ("communities:moderation_post", "post"): moderator_page(REDIRECT),
    ("communities:moderation_history", "get"): moderator_page(),
    ("communities:moderation_unmask", "get"): post_only(),
    ("communities:moderation_unmask", "post"): moderator_page(REDIRECT),
    ("communities:moderation_members", "get"): moderator_page(),
    ("communities:moderation_invite", "get"): post_only(),
    ("communities:moderation_invite", "post"): moderator_page(200),  # the form, address missing
    ("communities:moderation_member", "get"): post_only(),
    ("communities:moderation_member", "post"): moderator_page(REDIRECT),
    ("communities:moderation_log", "get"): moderator_page(),
    ("communities:settings", "get"): moderator_page(),
    ("communities:settings_rules", "get"): moderator_page(),
    ("communities:settings_auto_rules", "get"): moderator_page(),
    ("communities:settings_auto_rule_delete", "get"): post_only(),
    ("communities:settings_auto_rule_delete", "post"): moderator_page(REDIRECT),
    ("communities:unsubscribe", "get"): everyone(400),  # a made-up token
    ("communities:unsubscribe", "post"): everyone(400),
    # Sponsorship (the sample opportunity is for Lakeshore's people, posted by Dana: Carol
    # and the site admin are not among them; Alice nominated Bob, who accepted; Bob asked
    # Erin for a letter)
    ("sponsorship:board", "get"): signed_in(200),
    ("sponsorship:opportunity_new", "get"): signed_in(200),
    ("sponsorship:opportunity_new", "post"): signed_in(200),  # the form again, fields missing
    ("sponsorship:opportunity", "get"): lakeshore_page(),
    ("sponsorship:opportunity_edit", "get"): lakeshore_page(403, staff=200),
    ("sponsorship:opportunity_edit", "post"): lakeshore_page(403, staff=200),  # form again
    ("sponsorship:opportunity_delete", "get"): post_only(),
    # Refused for Dana too: Bob accepted a nomination for it.
    ("sponsorship:opportunity_delete", "post"): lakeshore_page(403, staff=REDIRECT),
    ("sponsorship:opportunity_follow", "get"): post_only(),
    ("sponsorship:opportunity_follow", "post"): lakeshore_page(REDIRECT),
    ("sponsorship:nominate", "get"): lakeshore_page(),
    ("sponsorship:nominate", "post"): lakeshore_page(),  # the form again, nominee missing
    ("sponsorship:nominations", "get"): signed_in(200),
    ("sponsorship:nomination", "get"): nomination_page(),
    ("sponsorship:nomination_statement", "get"): nomination_page(nominee=403),
    ("sponsorship:nomination_respond", "get"): post_only(),
    ("sponsorship:nomination_respond", "post"): nomination_page(nominator=403, nominee=REDIRECT),
    ("sponsorship:nomination_status", "get"): post_only(),
    ("sponsorship:nomination_status", "post"): nomination_page(REDIRECT),
    ("sponsorship:letter_request", "get"): nomination_page(),
    ("sponsorship:letter_request", "post"): nomination_page(),  # the form again, writer missing
    ("sponsorship:nomination_achievement", "get"): post_only(),
    ("sponsorship:nomination_achievement", "post"): nomination_page(
        nominator=403, nominee=REDIRECT
    ),
    ("sponsorship:letter_done", "get"): post_only(),
    ("sponsorship:letter_done", "post"): {**signed_in(404), "new_member": REDIRECT},
    ("sponsorship:equity", "get"): {**signed_in(404), "staff": 200, "researcher": 200},
    # The admin's own sign-in hands over to allauth; signed-in non-admins are refused.
    ("admin:login", "get"): {**signed_in(403, anonymous=LOGIN), "site_admin": REDIRECT},
    ("admin:logout", "get"): {**signed_in(REDIRECT, anonymous=ADMIN_LOGIN), "site_admin": 405},
}

# The Django admin is for site admins only; everyone else is sent to sign in as one.
ADMIN_RULE = {
    **dict.fromkeys(ROLES, ADMIN_LOGIN),
    "anonymous": {LOGIN, ADMIN_LOGIN},
    # Not an error page: 302 where the sample object is not there (the admin says so),
    # 403 where a model's admin allows no deletion, 404 for "view on site" of nothing.
    "site_admin": {200, REDIRECT, 403, 404},
}

SAMPLE_KWARGS = {
    "key": "not-a-real-key",
    "uidb36": "1",
    "app_label": "accounts",
    "content_type_id": "1",
}
# Which sample object each URL keyword names.
SAMPLE_OBJECTS = {
    "pk": "separation",
    "object_id": "user",
    "id": "user",
    "circle_id": "circle",
    "meeting_id": "meeting",
    "ask_id": "ask",
    "item_id": "agenda_item",
    "action_id": "action_item",
    "program_id": "program",
    "enrollment_id": "enrollment",
    "question_id": "question",
    "run_id": "run",
    "invitation_id": "invitation",
    "admission_id": "admission",
    "community_id": "community",
    "subgroup_id": "subgroup",
    "post_id": "community_post",
    "member_id": "community_member",
    "auto_rule_id": "auto_rule",
    "user_id": "bob",
    "achievement_id": "achievement",
    "instrument_id": "instrument",
    "survey_question_id": "survey_question",
    "wave_id": "wave",
    "export_id": "research_export",
    "opportunity_id": "opportunity",
    "nomination_id": "nomination",
    "letter_id": "letter_request",
    "organization_id": "organization",
}
# What a form would post, where the view needs it to act.
POST_DATA = {
    "circles:transfer_convener": lambda objects: {"user_id": objects["bob"].pk},
    "circles:vote": lambda objects: {"approve": "yes"},
    "circles:change_state": lambda objects: {"state": "paused"},
    "circles:notification_preference": lambda objects: {"notify": "none"},
    "circles:live_note": lambda objects: {"text": "advice", "kind": "note"},
    "circles:attendance": lambda objects: {},
    "programs:enrollment_state": lambda objects: {"state": "accepted", "reason": "ok"},
    "communities:accept_answer": lambda objects: {"reply": objects["community_reply"].pk},
    "communities:subgroup_membership": lambda objects: {"action": "join"},
    "communities:moderation_post": lambda objects: {"action": "lock"},
    "communities:moderation_member": lambda objects: {"action": "unmute"},
    "outcomes:research_export": lambda objects: {"participants": "on", "password": "wrong"},
    # Outcomes — achievements
    "outcomes:achievement_sharing": lambda objects: {"sharing": "private"},
}


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_is_in_the_matrix():
    listed = {name for name, _method in MATRIX}
    missing = [
        name for name, _ in url_names() if name not in listed and not name.startswith("admin:")
    ]
    assert missing == [], f"add these URLs to the access matrix: {missing}"
    unknown = listed - {name for name, _ in url_names()}
    assert unknown == set(), f"the matrix names URLs that do not exist: {unknown}"


@pytest.fixture
def people(alice, bob, carol, dana, rhea, sam, erin, sample_circle, sample_program):
    return {
        "anonymous": None,
        "outsider": carol,
        "new_member": erin,
        "circle_member": bob,
        "convener": alice,
        "staff": dana,
        "researcher": rhea,
        "site_admin": sam,
    }


@pytest.fixture
def alices_separation(alice):
    return Separation.objects.create(owner=alice, relation="supervisor", email="x@example.org")


def build_url(name, pattern, objects) -> str:
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        if key == "token" and name == "circles:invitation":
            kwargs[key] = objects["invitation_token"]
        elif key in SAMPLE_OBJECTS:
            kwargs[key] = objects[SAMPLE_OBJECTS[key]].pk
        else:
            kwargs[key] = SAMPLE_KWARGS.get(key, "not-a-real-token")
    return reverse(name, kwargs=kwargs)


def outcome_of(response) -> object:
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        return ADMIN_LOGIN
    if location.startswith(reverse("account_login")):
        return LOGIN
    return REDIRECT


def client_as(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def expectations():
    for name, pattern in url_names():
        rows = [(method, want) for (listed, method), want in MATRIX.items() if listed == name]
        if not rows and name.startswith("admin:"):
            rows = [("get", ADMIN_RULE)]
        for method, expected in rows:
            yield name, pattern, method, expected


def request_leaving_no_trace(client, method, url, data):
    """Each request runs in a transaction that is rolled back, so one role's POST (leaving,
    cancelling) cannot change what the next role meets."""
    with transaction.atomic():
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        transaction.set_rollback(True)
    return response


def test_every_url_as_every_role(
    people,
    alices_separation,
    alice,
    bob,
    sample_circle,
    sample_program,
    sample_community,
    sample_outcomes,
    sample_sponsorship,
):
    objects = {
        "separation": alices_separation,
        "user": alice,
        "bob": bob,
        **sample_circle,
        **sample_program,
        **sample_community,
        **sample_outcomes,
        **sample_sponsorship,
    }
    clients = {role: client_as(person) for role, person in people.items()}
    wrong = []
    for name, pattern, method, expected in expectations():
        url = build_url(name, pattern, objects)
        data = POST_DATA.get(name, lambda objects: {})(objects)
        for role, client in clients.items():
            got = outcome_of(request_leaving_no_trace(client, method, url, data))
            want = expected[role]
            if not (got in want if isinstance(want, set) else got == want):
                wrong.append(f"{method.upper()} {name} as {role}: expected {want}, got {got}")
    assert wrong == [], "\n".join(wrong)
    assert Separation.objects.filter(pk=alices_separation.pk).exists()

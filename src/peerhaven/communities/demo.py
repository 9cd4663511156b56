"""Demo communities for `make run`: a large network with region, specialty and interest
groups, rules (one enforced automatically: no political posts), answered and unanswered
questions, an article, reports and a held post waiting for the moderator, and requests to
join; plus a small open forum in the directory. Called by `manage.py seed_demo`."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerhaven.communities import actions
from peerhaven.communities.models import AutoRule, Community, Member, Post, SubGroup

RULES = [
    ("Be kind and assume good intent", "We are colleagues supporting each other."),
    (
        "Protect patients",
        "Nothing that could identify a patient: no names, birth dates or record numbers.",
    ),
    ("No political posts", "Keep discussion on medicine, careers and each other."),
    ("What is shared here stays here", "Ask the author before taking a post outside."),
    ("No selling", "No recruiting, products or paid services."),
]
QUESTIONS = ["Where do you practise, and in what specialty?", "What would you like from us?"]
GROUPS = [
    ("Chicago", SubGroup.Kind.REGION),
    ("Milwaukee", SubGroup.Kind.REGION),
    ("Detroit", SubGroup.Kind.REGION),
    ("Minneapolis–St Paul", SubGroup.Kind.REGION),
    ("Surgery", SubGroup.Kind.SPECIALTY),
    ("Pediatrics", SubGroup.Kind.SPECIALTY),
    ("Internal Medicine", SubGroup.Kind.SPECIALTY),
    ("Emergency Medicine", SubGroup.Kind.SPECIALTY),
    ("Parents in medicine", SubGroup.Kind.INTEREST),
    ("Grant writing", SubGroup.Kind.INTEREST),
    ("Clinician educators", SubGroup.Kind.INTEREST),
    ("Returning from leave", SubGroup.Kind.INTEREST),
]
# (kind, group, title, body, replies, accepted?)
THREADS = [
    (
        "question",
        "Parents in medicine",
        "Lactation space during a 12-hour OR day?",
        "Back next month after my second. How have you negotiated pumping breaks in the OR?",
        [
            "I put two 20-minute blocks on the schedule as 'turnover' and never apologised.",
            "Our chair signed a one-page policy after three of us asked together. Ask together.",
            "Talk to your OR nurse manager first; ours found a room in a week.",
        ],
        True,
    ),
    (
        "question",
        "Grant writing",
        "K award: how many mentors is too many?",
        "My draft has a primary, two co-mentors and four advisors. Reviewers' view?",
        [
            "Four advisors reads as unfocused. Give each one a named role in the training plan.",
            "Reviewers want one primary mentor with a track record of K-to-R transitions.",
        ],
        True,
    ),
    (
        "question",
        "Clinician educators",
        "Counting teaching toward promotion at a research-heavy school?",
        "Our criteria mention an educator portfolio but nobody can show me one. Examples?",
        [],
        False,
    ),
    (
        "question",
        "Returning from leave",
        "Easing back into clinic: half panel for a month?",
        "Did anyone get a reduced template on return? How did you ask?",
        ["I asked for 60% for four weeks; framed it as quality and safety. It worked."],
        False,
    ),
    (
        "article",
        "Grant writing",
        "What I learned from 3 rejected R01s (and the funded 4th)",
        "## The summary statement is a map\n\nRead it three times: angry, calm, and with a "
        "colleague. Then make a table: every critique, your response, the page you changed.\n\n"
        "## Specific aims first\n\nI rewrote my aims page **eleven** times. Share it early.",
        ["Saving this. The table idea is gold.", "Would you share your aims page template?"],
        False,
    ),
    (
        "discussion",
        "Chicago",
        "Chicago meet-up for coffee in December?",
        "A few of us near the Loop want to meet in person. Saturday mornings?",
        ["Count me in.", "Saturdays work; not the 14th.", "Yes please — somewhere near the L."],
        False,
    ),
    (
        "discussion",
        "Surgery",
        "Being the only woman on the call schedule",
        "How do you handle being the default 'soft skills' person for every difficult family "
        "meeting?",
        ["Name the pattern to your chief, with numbers.", "Rotate it explicitly. Write it down."],
        False,
    ),
    (
        "discussion",
        None,
        "Welcome, new members — introduce yourselves here",
        "Say hello: where you are, what you do, and one thing you'd like help with this year.",
        ["Hi all — pediatric hospitalist in Milwaukee, hoping to find a writing group."],
        False,
    ),
]


def seed(rng, people: dict) -> None:
    moderator, member, convener = people["moderator"], people["member"], people["convener"]
    network = _network(moderator, [member, convener, *people["peers"][:30]])
    _threads(rng, network, [member, convener, *people["peers"][:30]])
    _moderation_work(network, people["peers"])
    _open_forum(convener, [member, *people["peers"][30:36]])


def _network(owner, members) -> Community:
    network = actions.do_start_community(
        acting_user=owner,
        name="Women in Academic Medicine Network",
        description="A peer network of women faculty and trainees across the Great Lakes "
        "region: ask, answer, and put each other forward.",
        join_policy=Community.JoinPolicy.REQUEST,
        allow_anonymous=True,
        rules=RULES,
        questions=QUESTIONS,
    )
    owner_row = network.members.get(user=owner)
    politics = network.rules.get(number=3)
    AutoRule.objects.create(
        community=network,
        rule=politics,
        patterns="election\nRepublican\nDemocrat\n/\\bvote (for|against)\\b/",
        action=AutoRule.Action.REJECT,
    )
    groups = [actions.do_create_subgroup(owner_row, name=name, kind=kind) for name, kind in GROUPS]
    actions.do_create_subgroup(
        owner_row,
        name="Department chairs",
        kind=SubGroup.Kind.INTEREST,
        description="For chairs and division chiefs only.",
        private=True,
    )
    for person in members:
        joined = _admit(network, person)
        for group in groups[:: 1 + person.pk % 3][:5]:
            actions.do_join_subgroup(joined, group)
    return network


def _admit(community: Community, person) -> Member:
    member = actions.do_request_to_join(
        community, ["Lakeshore, medicine", "Advice and company"], acting_user=person
    )
    owner = community.members.filter(role=Member.Role.OWNER).first()
    actions.do_decide_request(member, admit=True, acting_user=owner.user)
    member.refresh_from_db()
    actions.do_agree_to_rules(member)
    return member


def _threads(rng, network: Community, people) -> None:
    network.hold_first_posts = 0
    network.save(update_fields=["hold_first_posts"])
    rows = {m.user_id: m for m in network.members.select_related("community")}
    now = timezone.now()
    for number, (kind, group, title, body, replies, accepted) in enumerate(THREADS):
        author, *answerers = rng.sample(people, 1 + len(replies))
        subgroup = network.subgroups.get(name=group) if group else None
        thread = actions.do_post(
            rows[author.pk], kind=kind, subgroup=subgroup, title=title, body=body
        )
        posted = [
            actions.do_post(rows[who.pk], parent=thread, body=text)
            for who, text in zip(answerers, replies, strict=True)
        ]
        _age(
            thread, posted, now - dt.timedelta(days=len(THREADS) - number, hours=rng.randint(1, 9))
        )
        if accepted:
            actions.do_accept_answer(thread, posted[0], rows[author.pk])
    anonymous_author = rows[people[3].pk]
    actions.do_post(
        anonymous_author,
        kind=Post.Kind.QUESTION,
        subgroup=network.subgroups.get(name="Returning from leave"),
        title="Burnout after my second child — is it normal to want to quit?",
        body="I love my patients and I am exhausted. Did anyone step down to part-time and "
        "step back up later?",
        anonymous=True,
    )
    network.hold_first_posts = 1
    network.save(update_fields=["hold_first_posts"])


def _age(thread: Post, replies: list[Post], start: dt.datetime) -> None:
    """Spread a demo thread over time so the feed reads like a real one."""
    Post.objects.filter(pk=thread.pk).update(created_at=start, last_activity_at=start)
    for offset, reply in enumerate(replies, start=1):
        moment = start + dt.timedelta(hours=3 * offset)
        Post.objects.filter(pk=reply.pk).update(created_at=moment)
        Post.objects.filter(pk=thread.pk).update(last_activity_at=moment)


def _moderation_work(network: Community, peers) -> None:
    """Something for the moderator to do: reported posts, a held post, requests to join."""
    rows = {m.user_id: m for m in network.members.select_related("community")}
    author = rows[peers[5].pk]
    selling = actions.do_post(
        author,
        title="Discount on board review courses",
        body="DM me for 30% off the best board review course in the Midwest.",
    )
    for reporter in peers[6:9]:
        actions.do_report(selling, rows[reporter.pk], rule=network.rules.get(number=5))
    chicago = network.subgroups.get(name="Chicago")
    heated = actions.do_post(
        rows[peers[9].pk],
        subgroup=chicago,
        title="Parking at the medical campus is a disgrace",
        body="Who do we complain to? This is the third fine this month.",
    )
    actions.do_report(
        heated, rows[peers[10].pk], rule=network.rules.get(number=1), note="Getting personal."
    )
    newcomer = _admit(network, peers[36])
    actions.do_post(newcomer, title="Hello from Detroit", body="New here — glad to find you.")
    for person in peers[37:40]:
        actions.do_request_to_join(
            network,
            ["Detroit, emergency medicine", "Colleagues who get it"],
            acting_user=person,
        )


def _open_forum(owner, members) -> None:
    forum = actions.do_start_community(
        acting_user=owner,
        name="Trainee Research Forum",
        description="Residents and fellows asking research questions; answers the same day.",
        join_policy=Community.JoinPolicy.OPEN,
        rules=RULES[:3],
        questions=[],
    )
    forum.hold_first_posts = 0
    forum.save(update_fields=["hold_first_posts"])
    for person in members:
        member = actions.do_join(forum, acting_user=person)
        actions.do_agree_to_rules(member)
    asker = forum.members.get(user=members[1])
    actions.do_post(
        asker,
        kind=Post.Kind.QUESTION,
        title="Power calculation for a pilot study — do I need one?",
        body="My IRB asks for one; it's a feasibility pilot of 20 patients.",
    )

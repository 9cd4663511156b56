"""Joining a community and posting in it: every write that spans rows, atomic, with
``acting_user`` or the acting member. Moderators' actions are in ``moderation.py``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peerhaven.communities import autorules, emails
from peerhaven.communities.models import (
    MAX_POST_LENGTH,
    AutoRule,
    Community,
    Member,
    MembershipQuestion,
    ModerationAction,
    Post,
    PostRevision,
    Report,
    Rule,
    SubGroup,
    SubGroupMember,
)
from peerhaven.lib.markdown import render_markdown

RATE_WINDOW = dt.timedelta(hours=1)


class CommunityError(Exception):
    """A rule of the community refused the action; the message is shown to the person."""


# --- Starting a community ----------------------------------------------------------------


@transaction.atomic
def do_start_community(
    *, acting_user, name: str, rules: list[tuple[str, str]], questions: list[str], **settings
) -> Community:
    """Anyone may start a community and owns it; by writing its rules they agree to them."""
    community = Community.objects.create(name=name, created_by=acting_user, **settings)
    _write_rules(community, rules)
    MembershipQuestion.objects.bulk_create(
        MembershipQuestion(community=community, position=i, text=text)
        for i, text in enumerate(questions)
    )
    now = timezone.now()
    Member.objects.create(
        community=community,
        user=acting_user,
        role=Member.Role.OWNER,
        joined_at=now,
        rules_agreed_version=community.rules_version,
    )
    return community


def _write_rules(community: Community, rules: list[tuple[str, str]]) -> None:
    Rule.objects.bulk_create(
        Rule(community=community, number=number, title=title, details=details)
        for number, (title, details) in enumerate(rules, start=1)
    )


@transaction.atomic
def do_set_rules(community: Community, rules: list[tuple[str, str]], *, acting_user) -> None:
    """New rules replace the old in place (reports keep the rule they cited, by number) and
    every member agrees again before their next post."""
    existing = {rule.number: rule for rule in community.rules.all()}
    for number, (title, details) in enumerate(rules, start=1):
        rule = existing.pop(number, None) or Rule(community=community, number=number)
        rule.title, rule.details = title, details
        rule.save()
    for rule in existing.values():
        if rule.reports.exists():
            raise CommunityError(
                f"Rule {rule.number} is cited in reports, so it cannot be dropped; reword it."
            )
        rule.delete()
    Community.objects.filter(pk=community.pk).update(rules_version=F("rules_version") + 1)
    community.refresh_from_db(fields=["rules_version"])
    # The owner who wrote them has agreed to them.
    community.members.filter(user=acting_user).update(rules_agreed_version=community.rules_version)


# --- Joining -----------------------------------------------------------------------------


def _refuse_if_barred(member: Member | None) -> None:
    if member is None:
        return
    if member.state == Member.State.BANNED:
        raise CommunityError("The moderators of this community have banned you from it.")
    if member.state == Member.State.ACTIVE:
        raise CommunityError("You are already a member.")
    if member.state == Member.State.REQUESTED:
        raise CommunityError("You have already asked to join; the moderators will decide.")


def _membership_row(community: Community, user) -> Member | None:
    return Member.objects.select_for_update().filter(community=community, user=user).first()


@transaction.atomic
def do_join(community: Community, *, acting_user) -> Member:
    """Open communities take anyone not banned; invited people accept their invitation."""
    member = _membership_row(community, acting_user)
    invited = member is not None and member.state == Member.State.INVITED
    if community.join_policy != Community.JoinPolicy.OPEN and not invited:
        raise CommunityError("This community admits members by request or invitation.")
    _refuse_if_barred(member)
    member = member or Member(community=community, user=acting_user)
    member.state, member.role, member.joined_at = (
        Member.State.ACTIVE,
        Member.Role.MEMBER,
        timezone.now(),
    )
    member.save()
    return member


@transaction.atomic
def do_request_to_join(community: Community, answers: list[str], *, acting_user) -> Member:
    if community.join_policy != Community.JoinPolicy.REQUEST:
        raise CommunityError("This community does not take requests to join.")
    member = _membership_row(community, acting_user)
    _refuse_if_barred(member)
    questions = list(community.questions.all())
    if len(answers) != len(questions) or not all(answer.strip() for answer in answers):
        raise CommunityError("Please answer every question; the moderators read them.")
    member = member or Member(community=community, user=acting_user)
    member.state, member.requested_at = Member.State.REQUESTED, timezone.now()
    member.answers = [
        {"question": question.text, "answer": answer.strip()}
        for question, answer in zip(questions, answers, strict=True)
    ]
    member.save()
    return member


@transaction.atomic
def do_decide_request(member: Member, *, admit: bool, acting_user) -> None:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.state != Member.State.REQUESTED:
        raise CommunityError("That request has already been decided.")
    member.state = Member.State.ACTIVE if admit else Member.State.DECLINED
    member.joined_at = timezone.now() if admit else None
    # Answers were for the moderators' decision; once made, they are not kept.
    member.answers = []
    member.save()
    kind = ModerationAction.Kind.ADMIT if admit else ModerationAction.Kind.DECLINE
    ModerationAction.objects.create(
        community=member.community, moderator=acting_user, kind=kind, member=member.user
    )
    if admit:
        emails.request_admitted(member)


@transaction.atomic
def do_invite(community: Community, user, *, acting_user) -> Member:
    member = _membership_row(community, user)
    _refuse_if_barred(member)
    member = member or Member(community=community, user=user)
    member.state = Member.State.INVITED
    member.save()
    emails.invited(member, invited_by=acting_user)
    return member


@transaction.atomic
def do_leave(member: Member) -> None:
    if member.is_owner and not member.community.members.filter(
        role=Member.Role.OWNER, state=Member.State.ACTIVE
    ).exclude(pk=member.pk):
        raise CommunityError("Make another member an owner before you leave.")
    member.state, member.role = Member.State.LEFT, Member.Role.MEMBER
    member.save(update_fields=["state", "role"])
    leave_every_subgroup(member)


def do_agree_to_rules(member: Member) -> None:
    member.rules_agreed_version = member.community.rules_version
    member.save(update_fields=["rules_agreed_version"])


def do_set_digest(member: Member, digest: str) -> None:
    member.digest = digest
    member.save(update_fields=["digest"])


# --- Sub-groups --------------------------------------------------------------------------


def do_create_subgroup(member: Member, **fields) -> SubGroup:
    with transaction.atomic():
        subgroup = SubGroup.objects.create(community=member.community, **fields)
        _enter_subgroup(subgroup, member.user_id)
    return subgroup


def do_join_subgroup(member: Member, subgroup: SubGroup) -> None:
    if subgroup.private and not member.is_moderator:
        raise CommunityError("This group is private: its moderators add members.")
    _enter_subgroup(subgroup, member.user_id)


def do_add_to_subgroup(subgroup: SubGroup, user) -> None:
    """Moderators add members to a private sub-group (only members of the community)."""
    if not subgroup.community.members.filter(user=user, state=Member.State.ACTIVE).exists():
        raise CommunityError("Only members of the community can be added to its groups.")
    _enter_subgroup(subgroup, user.pk)


def do_leave_subgroup(member: Member, subgroup: SubGroup) -> None:
    _leave_subgroups(SubGroupMember.objects.filter(subgroup=subgroup, user_id=member.user_id))


def leave_every_subgroup(member: Member) -> None:
    """Out of the community, out of its groups (private ones included)."""
    rows = SubGroupMember.objects.filter(
        subgroup__community_id=member.community_id, user_id=member.user_id
    )
    _leave_subgroups(rows)


# Every way into or out of a sub-group goes through these two, which keep the group's
# member count: counting a large community's groups live took a second per page.
@transaction.atomic
def _enter_subgroup(subgroup: SubGroup, user_id: int) -> None:
    _, created = SubGroupMember.objects.get_or_create(subgroup=subgroup, user_id=user_id)
    if created:
        SubGroup.objects.filter(pk=subgroup.pk).update(member_count=F("member_count") + 1)


@transaction.atomic
def _leave_subgroups(one_persons_rows) -> None:
    groups = list(one_persons_rows.values_list("subgroup_id", flat=True))
    one_persons_rows.delete()
    SubGroup.objects.filter(pk__in=groups).update(member_count=F("member_count") - 1)


def do_set_following(member: Member, subgroup: SubGroup, following: bool) -> None:
    SubGroupMember.objects.filter(subgroup=subgroup, user_id=member.user_id).update(
        following=following
    )


# --- Posting -----------------------------------------------------------------------------


def _check_may_post(member: Member) -> None:
    if not member.has_agreed_to_rules:
        raise CommunityError("Please read and agree to the community's rules before posting.")
    if member.is_muted:
        until = timezone.localtime(member.muted_until).strftime("%-d %b %Y, %H:%M")
        raise CommunityError(f"The moderators have muted you here until {until}.")
    recent = Post.objects.filter(
        author_id=member.user_id,
        community_id=member.community_id,
        created_at__gte=timezone.now() - RATE_WINDOW,
    ).count()
    if recent >= member.community.posts_per_hour:
        raise CommunityError(
            f"This community allows {member.community.posts_per_hour} posts and replies an "
            "hour per member. Please wait a little before posting again."
        )


def _clean_text(body: str, title: str, *, is_thread: bool) -> tuple[str, str]:
    """The text stripped, or the reason it cannot be posted. Replies have no title."""
    body, title = body.strip(), title.strip() if is_thread else ""
    if not body:
        raise CommunityError("Write something first: the post is empty.")
    if is_thread and not title:
        raise CommunityError("Give the post a title, so people can find it.")
    if len(body) > MAX_POST_LENGTH:
        raise CommunityError(
            f"Posts are limited to {MAX_POST_LENGTH:,} characters; this one has {len(body):,}."
        )
    return body, title


def _screen(member: Member, post: Post) -> None:
    """Apply the community's automatic rules and its hold on new members' first posts."""
    auto_rule = _auto_rule_broken(member, post)
    if auto_rule is not None:
        post.state, post.held_reason = Post.State.HELD, autorules.explanation(auto_rule)
    elif _is_new_poster(member):
        post.state = Post.State.HELD
        post.held_reason = "A new member's first posts wait for a moderator."


def _auto_rule_broken(member: Member, post: Post) -> AutoRule | None:
    """The automatic rule the post's text breaks, if any; a refusing rule refuses here."""
    auto_rule = autorules.matching_rule(member.community, f"{post.title}\n{post.body}")
    if auto_rule is not None and auto_rule.action == AutoRule.Action.REJECT:
        raise CommunityError(
            "This community does not take this post. " + autorules.explanation(auto_rule)
        )
    return auto_rule


def _is_new_poster(member: Member) -> bool:
    hold = member.community.hold_first_posts
    if hold == 0 or member.is_moderator:
        return False
    published = Post.objects.filter(
        author_id=member.user_id, community_id=member.community_id, state=Post.State.PUBLISHED
    )
    return published.count() < hold


@transaction.atomic
def do_post(
    member: Member,
    *,
    body: str,
    title: str = "",
    kind: str = Post.Kind.DISCUSSION,
    subgroup: SubGroup | None = None,
    anonymous: bool = False,
    parent: Post | None = None,
) -> Post:
    """A new thread, or a reply when ``parent`` is given. The caller has checked that the
    member can read the sub-group or the parent."""
    _check_may_post(member)
    body, title = _clean_text(body, title, is_thread=parent is None)
    if anonymous and not member.community.allow_anonymous:
        raise CommunityError("This community does not allow anonymous posts.")
    if parent is not None:
        parent = Post.objects.select_for_update().get(pk=parent.pk)
        if parent.locked:
            raise CommunityError("The moderators have locked this thread.")
        subgroup, kind, title = parent.subgroup, parent.kind, ""
    post = Post(
        community=member.community,
        subgroup=subgroup,
        parent=parent,
        kind=kind,
        title=title,
        body=body,
        body_html=render_markdown(body),
        author_id=member.user_id,
        anonymous=anonymous,
    )
    _screen(member, post)
    post.save()
    if parent is not None and post.state == Post.State.PUBLISHED:
        _count_reply(parent, post.created_at)
    return post


def set_post_state(post: Post, state: str) -> None:
    """Change a post's state (the caller saves it), keeping its thread's reply count equal
    to its published replies: a reply leaving or entering the published state moves it."""
    was_published = post.state == Post.State.PUBLISHED
    post.state = state
    if post.is_thread or was_published == (state == Post.State.PUBLISHED):
        return
    if was_published:
        Post.objects.filter(pk=post.parent_id, reply_count__gt=0).update(
            reply_count=F("reply_count") - 1
        )
        # A question is not answered by a reply nobody can read.
        Post.objects.filter(accepted_answer=post).update(accepted_answer=None)
    else:
        Post.objects.filter(pk=post.parent_id).update(reply_count=F("reply_count") + 1)


def _count_reply(thread: Post, when) -> None:
    Post.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1, last_activity_at=when
    )


@transaction.atomic
def do_edit_post(post: Post, member: Member, *, body: str, title: str = "") -> Post:
    """Authors edit their own posts; the old text is kept for moderators and the post says
    it was edited. An edit goes through the automatic rules again."""
    if post.author_id != member.user_id:
        raise CommunityError("Only the author can edit a post.")
    if post.state == Post.State.REMOVED:
        raise CommunityError("A removed post cannot be edited.")
    _check_may_post(member)
    body, title = _clean_text(body, title, is_thread=post.is_thread)
    PostRevision.objects.create(post=post, title=post.title, body=post.body)
    post.title, post.body, post.body_html = title, body, render_markdown(body)
    post.edited_at = timezone.now()
    auto_rule = _auto_rule_broken(member, post)
    if auto_rule is not None and post.state == Post.State.PUBLISHED:
        set_post_state(post, Post.State.HELD)
        post.held_reason = autorules.explanation(auto_rule)
    post.save()
    return post


@transaction.atomic
def do_accept_answer(question: Post, reply: Post, member: Member) -> None:
    if question.kind != Post.Kind.QUESTION or reply.parent_id != question.pk:
        raise CommunityError("Only a reply to a question can be its accepted answer.")
    if question.author_id != member.user_id and not member.is_moderator:
        raise CommunityError("Only the person who asked, or a moderator, can accept an answer.")
    if reply.state != Post.State.PUBLISHED:
        raise CommunityError("That reply is not published.")
    Post.objects.filter(pk=question.pk).update(accepted_answer=reply)
    question.accepted_answer = reply


@transaction.atomic
def do_report(post: Post, member: Member, *, rule: Rule | None, note: str = "") -> Report:
    if rule is None or rule.community_id != member.community_id:
        raise CommunityError("Choose the rule this post breaks, so moderators can act on it.")
    if post.author_id == member.user_id:
        raise CommunityError("You cannot report your own post; edit it instead.")
    report, created = Report.objects.get_or_create(
        post=post, reporter_id=member.user_id, defaults={"rule": rule, "note": note.strip()}
    )
    if not created:
        raise CommunityError("You have already reported this post; the moderators will see it.")
    Post.objects.filter(pk=post.pk).update(report_count=F("report_count") + 1)
    return report

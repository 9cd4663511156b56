"""Moderators' actions on posts and members, and owners' settings for the community. Each is
atomic, takes the acting moderator's membership as ``acting``, refuses anything outside
the acting member's own community, and writes a row to the moderation log.

A moderator's power stops at their community's edge: every target is checked against
``acting.community_id`` here as well as scoped in the views, so a stray id from another
community is refused twice."""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from peerhaven.communities import actions, emails
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.models import (
    AutoRule,
    Community,
    Member,
    MembershipQuestion,
    ModerationAction,
    Post,
    Report,
    Rule,
)

MAX_MUTE_DAYS = 90
Kind = ModerationAction.Kind


def _require_moderator(acting: Member) -> None:
    if not acting.is_moderator:
        raise CommunityError("Only the community's moderators can do this.")


def _require_owner(acting: Member) -> None:
    if not acting.is_owner:
        raise CommunityError("Only the community's owners can do this.")


def _log(acting: Member, kind: str, **fields) -> ModerationAction:
    return ModerationAction.objects.create(
        community_id=acting.community_id, moderator_id=acting.user_id, kind=kind, **fields
    )


def _rule_of_community(acting: Member, rule: Rule | None, refusal: str) -> Rule:
    if rule is None or rule.community_id != acting.community_id:
        raise CommunityError(refusal)
    return rule


# --- Posts -------------------------------------------------------------------------------


def _locked_post(acting: Member, post: Post) -> Post:
    """The post re-read under a row lock, and only if it is in the acting member's
    community: two moderators acting on one post at once take turns."""
    _require_moderator(acting)
    locked = (
        Post.objects.select_for_update()
        .filter(pk=post.pk, community_id=acting.community_id)
        .first()
    )
    if locked is None:
        raise CommunityError("That post is not in this community.")
    return locked


def _resolve_reports(post: Post) -> None:
    Report.objects.filter(post=post, resolved_at__isnull=True).update(resolved_at=timezone.now())
    post.report_count = 0


@transaction.atomic
def do_approve(post: Post, *, acting: Member) -> Post:
    """A held post is published; a reported one stays up and its reports are closed."""
    post = _locked_post(acting, post)
    if post.state not in (Post.State.HELD, Post.State.PUBLISHED):
        raise CommunityError("This post was hidden or removed; restore it instead.")
    if post.state == Post.State.HELD:
        actions.set_post_state(post, Post.State.PUBLISHED)
        post.held_reason = ""
        if not post.is_thread:
            # A reply that waited rises its thread now, when members can first read it.
            Post.objects.filter(pk=post.parent_id).update(last_activity_at=timezone.now())
    _resolve_reports(post)
    post.save(update_fields=["state", "held_reason", "report_count"])
    _log(acting, Kind.APPROVE, post=post)
    return post


@transaction.atomic
def do_hide(post: Post, *, acting: Member, note: str = "") -> Post:
    """Hidden: out of sight while moderators look into it, without telling the author."""
    post = _locked_post(acting, post)
    if post.state in (Post.State.HIDDEN, Post.State.REMOVED):
        raise CommunityError("This post is already out of sight.")
    actions.set_post_state(post, Post.State.HIDDEN)
    _resolve_reports(post)
    post.save(update_fields=["state", "report_count"])
    _log(acting, Kind.HIDE, post=post, note=note.strip()[:500])
    return post


@transaction.atomic
def do_remove(post: Post, *, acting: Member, rule: Rule | None, note: str = "") -> Post:
    """Removed for breaking a posted rule; the author is told which rule (and nothing of
    what they wrote beyond its title)."""
    post = _locked_post(acting, post)
    rule = _rule_of_community(
        acting, rule, "Choose the rule this post breaks: its author is told which."
    )
    if post.state == Post.State.REMOVED:
        raise CommunityError("This post is already removed.")
    actions.set_post_state(post, Post.State.REMOVED)
    post.removed_for = rule
    _resolve_reports(post)
    post.save(update_fields=["state", "removed_for", "report_count"])
    # An anonymous author stays unnamed in the log; unmasking is its own, logged act.
    author_id = None if post.anonymous else post.author_id
    _log(acting, Kind.REMOVE, post=post, rule=rule, member_id=author_id, note=note.strip()[:500])
    if post.author_id != acting.user_id:
        emails.post_removed(post, rule)
    return post


@transaction.atomic
def do_restore(post: Post, *, acting: Member) -> Post:
    post = _locked_post(acting, post)
    if post.state not in (Post.State.HIDDEN, Post.State.REMOVED):
        raise CommunityError("Only a hidden or removed post can be restored.")
    actions.set_post_state(post, Post.State.PUBLISHED)
    post.removed_for = None
    post.save(update_fields=["state", "removed_for"])
    _log(acting, Kind.RESTORE, post=post)
    return post


@transaction.atomic
def do_lock(post: Post, *, acting: Member, locked: bool = True) -> Post:
    """A locked thread takes no more replies; what is there stays readable."""
    post = _locked_post(acting, post)
    if not post.is_thread:
        raise CommunityError("Lock the thread, not a single reply.")
    if post.locked == locked:
        raise CommunityError("This thread is already locked." if locked else "It is not locked.")
    post.locked = locked
    post.save(update_fields=["locked"])
    _log(acting, Kind.LOCK if locked else Kind.UNLOCK, post=post)
    return post


@transaction.atomic
def do_dismiss_reports(post: Post, *, acting: Member) -> Post:
    post = _locked_post(acting, post)
    if not post.reports.filter(resolved_at__isnull=True).exists():
        raise CommunityError("This post has no open reports.")
    _resolve_reports(post)
    post.save(update_fields=["report_count"])
    _log(acting, Kind.DISMISS, post=post)
    return post


@transaction.atomic
def do_unmask(post: Post, *, acting: Member):
    """Who wrote an anonymous post. Every look is logged; the log names the post, not the
    author, so reading the log does not unmask anyone by the back door."""
    post = _locked_post(acting, post)
    if not post.anonymous:
        raise CommunityError("This post is not anonymous.")
    _log(acting, Kind.UNMASK, post=post)
    return post.author


# --- Members -----------------------------------------------------------------------------


def _locked_member(acting: Member, target: Member) -> Member:
    _require_moderator(acting)
    locked = (
        Member.objects.select_for_update()
        .select_related("community", "user")
        .filter(pk=target.pk, community_id=acting.community_id)
        .first()
    )
    if locked is None:
        raise CommunityError("That person is not in this community.")
    if locked.user_id == acting.user_id:
        raise CommunityError("You cannot moderate yourself.")
    if locked.role == Member.Role.OWNER and not acting.is_owner:
        raise CommunityError("Moderators cannot act on the community's owners.")
    return locked


def _require_active(target: Member) -> None:
    if not target.is_active:
        raise CommunityError("That person is not a member of this community now.")


@transaction.atomic
def do_warn(target: Member, *, acting: Member, rule: Rule | None, note: str = "") -> Member:
    target = _locked_member(acting, target)
    _require_active(target)
    rule = _rule_of_community(
        acting, rule, "Choose the rule you are warning them about: the e-mail names it."
    )
    _log(acting, Kind.WARN, member_id=target.user_id, rule=rule, note=note.strip()[:500])
    emails.warned(target, rule)
    return target


@transaction.atomic
def do_mute(
    target: Member, *, acting: Member, days: int, rule: Rule | None = None, note: str = ""
) -> Member:
    """A muted member reads but cannot post or reply until the mute runs out."""
    target = _locked_member(acting, target)
    _require_active(target)
    if not 1 <= days <= MAX_MUTE_DAYS:
        raise CommunityError(f"Mute for 1 to {MAX_MUTE_DAYS} days.")
    if rule is not None:
        rule = _rule_of_community(acting, rule, "Choose one of this community's rules.")
    target.muted_until = timezone.now() + dt.timedelta(days=days)
    target.save(update_fields=["muted_until"])
    _log(
        acting,
        Kind.MUTE,
        member_id=target.user_id,
        rule=rule,
        until=target.muted_until,
        note=note.strip()[:500],
    )
    emails.muted(target, rule)
    return target


@transaction.atomic
def do_unmute(target: Member, *, acting: Member) -> Member:
    target = _locked_member(acting, target)
    if not target.is_muted:
        raise CommunityError("That member is not muted.")
    target.muted_until = None
    target.save(update_fields=["muted_until"])
    _log(acting, Kind.UNMUTE, member_id=target.user_id)
    return target


def _put_out(target: Member, state: str) -> None:
    target.state, target.role, target.muted_until = state, Member.Role.MEMBER, None
    target.save(update_fields=["state", "role", "muted_until"])
    actions.leave_every_subgroup(target)


@transaction.atomic
def do_remove_member(target: Member, *, acting: Member, note: str = "") -> Member:
    """Removed members may ask to join again; banned ones may not."""
    target = _locked_member(acting, target)
    _require_active(target)
    _put_out(target, Member.State.REMOVED)
    _log(acting, Kind.REMOVE_MEMBER, member_id=target.user_id, note=note.strip()[:500])
    return target


@transaction.atomic
def do_ban(target: Member, *, acting: Member, note: str = "") -> Member:
    """Anyone with a row here can be banned: a member, a requester, a former member."""
    target = _locked_member(acting, target)
    if target.state == Member.State.BANNED:
        raise CommunityError("That person is already banned.")
    _put_out(target, Member.State.BANNED)
    _log(acting, Kind.BAN, member_id=target.user_id, note=note.strip()[:500])
    return target


@transaction.atomic
def do_set_role(target: Member, role: str, *, acting: Member) -> Member:
    """Owners make members moderators and back; the community always keeps an owner."""
    _require_owner(acting)
    target = _locked_member(acting, target)
    _require_active(target)
    if role not in (Member.Role.MODERATOR, Member.Role.MEMBER):
        raise CommunityError("Make a member a moderator, or a moderator a member.")
    if target.role == role:
        raise CommunityError(f"{target.user.display_name} is already a {role}.")
    if target.role == Member.Role.OWNER and not _other_owners(target).exists():
        raise CommunityError("A community needs an owner; make another one first.")
    target.role = role
    target.save(update_fields=["role"])
    kind = Kind.PROMOTE if role == Member.Role.MODERATOR else Kind.DEMOTE
    _log(acting, kind, member_id=target.user_id)
    return target


def _other_owners(target: Member):
    return Member.objects.filter(
        community_id=target.community_id, role=Member.Role.OWNER, state=Member.State.ACTIVE
    ).exclude(pk=target.pk)


def do_decide_request(target: Member, *, admit: bool, acting: Member) -> None:
    """Admit or decline a request to join (``actions.do_decide_request`` logs it)."""
    _require_moderator(acting)
    if target.community_id != acting.community_id:
        raise CommunityError("That person is not in this community.")
    actions.do_decide_request(target, admit=admit, acting_user=acting.user)


def do_invite_by_email(email: str, *, acting: Member) -> Member:
    """Invite a Peerhaven member by their verified address. Whether an address belongs to
    someone is all this tells the moderator: nothing else about the account."""
    _require_moderator(acting)
    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
        .select_related("user")
        .first()
    )
    if address is None or not address.user.is_active:
        raise CommunityError(
            "No Peerhaven member uses that address; ask them to join Peerhaven first."
        )
    existing = acting.community.members.filter(user=address.user).first()
    if existing is not None and existing.state == Member.State.BANNED:
        raise CommunityError("That person is banned from this community.")
    if existing is not None and existing.state == Member.State.ACTIVE:
        raise CommunityError("That person is already a member.")
    if existing is not None and existing.state == Member.State.REQUESTED:
        raise CommunityError("That person has asked to join: admit their request instead.")
    return actions.do_invite(acting.community, address.user, acting_user=acting.user)


# --- Settings ----------------------------------------------------------------------------


@transaction.atomic
def do_update_settings(
    community: Community, *, acting: Member, questions: list[str], **fields
) -> Community:
    """Owners change how the community runs. Pending requests keep the questions they
    answered (the answers carry their question's text)."""
    _require_owner(acting)
    if community.pk != acting.community_id:
        raise CommunityError("That is not your community.")
    for name, value in fields.items():
        setattr(community, name, value)
    community.save(update_fields=list(fields))
    community.questions.all().delete()
    MembershipQuestion.objects.bulk_create(
        MembershipQuestion(community=community, position=i, text=text)
        for i, text in enumerate(questions)
    )
    return community


def do_add_auto_rule(
    *, acting: Member, patterns: str, action: str, rule: Rule | None = None
) -> AutoRule:
    _require_moderator(acting)
    if rule is not None:
        rule = _rule_of_community(acting, rule, "Choose one of this community's rules.")
    return AutoRule.objects.create(
        community_id=acting.community_id, patterns=patterns, action=action, rule=rule
    )


def do_delete_auto_rule(auto_rule: AutoRule, *, acting: Member) -> None:
    _require_moderator(acting)
    deleted, _ = AutoRule.objects.filter(pk=auto_rule.pk, community_id=acting.community_id).delete()
    if not deleted:
        raise CommunityError("That automatic rule is not in this community.")

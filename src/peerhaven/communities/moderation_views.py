"""Moderators' pages (the review queue, members, the log, automatic rules) and owners'
settings. Every object is looked up inside the community in the URL, so a moderator of one
community gets 404 for another's posts and members, whatever id they type."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from peerhaven.communities import actions, moderation
from peerhaven.communities.access import community_view
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.models import Community, Member, ModerationAction, Post, Report
from peerhaven.communities.moderation_forms import (
    AutoRuleForm,
    InviteForm,
    MemberActionForm,
    MemberSearchForm,
    PostActionForm,
    RulesForm,
    SettingsForm,
)
from peerhaven.lib.requests import posted, safe_next

QUEUE_PAGE_SIZE = 20
LOG_PAGE_SIZE = 50
MEMBER_RESULTS = 30
QUEUE_ORDERS = {
    "newest": ["-created_at", "-pk"],
    "reports": ["-report_count", "-created_at", "-pk"],
}


def _context(member: Member, **extra) -> dict:
    return {"community": member.community, "member": member, **extra}


def _post_in(member: Member, post_id) -> Post:
    """Any post of the moderator's community, whatever its state; 404 for other ids."""
    posts = Post.objects.filter(community_id=member.community_id)
    return get_object_or_404(posts.select_related("parent", "author__profile"), pk=post_id)


# --- The review queue --------------------------------------------------------------------


@community_view(moderator=True)
def queue(request, member):
    """Posts waiting for a moderator and posts with open reports, on one page."""
    order = request.GET.get("order") if request.GET.get("order") in QUEUE_ORDERS else "newest"
    open_reports = Report.objects.filter(resolved_at__isnull=True).select_related("rule")
    posts = (
        Post.objects.filter(community_id=member.community_id)
        .filter(Q(state=Post.State.HELD) | Q(report_count__gt=0))
        .select_related("author__profile", "parent")
        .prefetch_related(
            Prefetch("reports", open_reports.order_by("created_at"), to_attr="open_reports")
        )
        .order_by(*QUEUE_ORDERS[order])
    )
    page = Paginator(posts, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = _context(member, page=page, order=order, rules=list(member.community.rules.all()))
    return render(request, "communities/moderation_queue.html", context)


def _approve(member, post, data):
    moderation.do_approve(post, acting=member)
    return "Approved: the post is published."


def _hide(member, post, data):
    moderation.do_hide(post, acting=member, note=data["note"])
    return "Hidden from members."


def _remove(member, post, data):
    moderation.do_remove(post, acting=member, rule=data["rule"], note=data["note"])
    return f"Removed for rule {data['rule'].number}; the author is told which rule."


def _restore(member, post, data):
    moderation.do_restore(post, acting=member)
    return "Restored: members can read it again."


def _lock(member, post, data):
    moderation.do_lock(post, acting=member, locked=True)
    return "Thread locked: no more replies."


def _unlock(member, post, data):
    moderation.do_lock(post, acting=member, locked=False)
    return "Thread unlocked."


def _dismiss(member, post, data):
    moderation.do_dismiss_reports(post, acting=member)
    return "Reports dismissed; the post stays up."


POST_ACTIONS = {
    "approve": _approve,
    "hide": _hide,
    "remove": _remove,
    "restore": _restore,
    "lock": _lock,
    "unlock": _unlock,
    "dismiss": _dismiss,
}


@require_POST
@community_view(moderator=True)
def post_action(request, member, post_id):
    post = _post_in(member, post_id)
    form = PostActionForm(request.POST, community=member.community)
    try:
        if not form.is_valid():
            raise CommunityError("That is not something a moderator can do to a post.")
        action = POST_ACTIONS[form.cleaned_data["action"]]
        messages.success(request, action(member, post, form.cleaned_data))
    except CommunityError as error:
        messages.error(request, str(error))
    fallback = reverse("communities:moderation", args=[member.community_id])
    return redirect(safe_next(request) or fallback)


@community_view(moderator=True)
def post_history(request, member, post_id):
    post = _post_in(member, post_id)
    context = _context(member, post=post, revisions=post.revisions.all())
    return render(request, "communities/moderation_history.html", context)


@require_POST
@community_view(moderator=True)
def unmask(request, member, post_id):
    """Shown once, on this response; each look writes its own line to the log."""
    post = _post_in(member, post_id)
    try:
        author = moderation.do_unmask(post, acting=member)
    except CommunityError as error:
        messages.error(request, str(error))
        return redirect("communities:moderation", community_id=member.community_id)
    context = _context(member, post=post, author=author, back=safe_next(request))
    return render(request, "communities/moderation_unmask.html", context)


# --- Members -----------------------------------------------------------------------------


@community_view(moderator=True)
def members(request, member):
    return _members_page(request, member, InviteForm())


def _members_page(request, member, invite_form):
    rows = member.community.members.select_related("user__profile")
    search = MemberSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    context = _context(
        member,
        requests=rows.filter(state=Member.State.REQUESTED).order_by("requested_at", "pk"),
        search=search,
        query=query,
        found=_find_members(rows, query),
        rules=list(member.community.rules.all()),
        invite_form=invite_form,
        now=timezone.now(),
    )
    return render(request, "communities/moderation_members.html", context)


def _find_members(rows, query: str):
    """Search results, or (with no search) the moderators and who is muted now. Names
    match in part, addresses only in full: a moderator can find someone whose address
    they know, but cannot list the members' addresses by searching for "@"."""
    if query:
        states = [Member.State.ACTIVE, Member.State.REMOVED, Member.State.BANNED]
        matches = Q(user__profile__display_name__icontains=query) | Q(user__email__iexact=query)
        rows = rows.filter(matches, state__in=states)
    else:
        busy = Q(role__in=Member.MODERATING_ROLES) | Q(muted_until__gt=timezone.now())
        rows = rows.filter(busy, state=Member.State.ACTIVE)
    return rows.order_by("user__profile__display_name", "pk")[:MEMBER_RESULTS]


def _warn(member, target, data):
    moderation.do_warn(target, acting=member, rule=data["rule"], note=data["note"])
    return f"{target.user.display_name} is warned; the e-mail names rule {data['rule'].number}."


def _mute(member, target, data):
    target = moderation.do_mute(
        target, acting=member, days=data["days"], rule=data["rule"], note=data["note"]
    )
    until = timezone.localtime(target.muted_until).strftime("%-d %b %Y")
    return f"{target.user.display_name} is muted until {until}."


def _unmute(member, target, data):
    moderation.do_unmute(target, acting=member)
    return f"{target.user.display_name} can post again."


def _remove_member(member, target, data):
    moderation.do_remove_member(target, acting=member, note=data["note"])
    return f"{target.user.display_name} is removed from the community."


def _ban(member, target, data):
    moderation.do_ban(target, acting=member, note=data["note"])
    return f"{target.user.display_name} is banned and cannot join again."


def _make_moderator(member, target, data):
    moderation.do_set_role(target, Member.Role.MODERATOR, acting=member)
    return f"{target.user.display_name} is now a moderator."


def _make_member(member, target, data):
    moderation.do_set_role(target, Member.Role.MEMBER, acting=member)
    return f"{target.user.display_name} is now a member without moderator rights."


def _admit(member, target, data):
    moderation.do_decide_request(target, admit=True, acting=member)
    return f"{target.user.display_name} is admitted."


def _decline(member, target, data):
    moderation.do_decide_request(target, admit=False, acting=member)
    return f"{target.user.display_name}'s request is declined."


MEMBER_ACTIONS = {
    "warn": _warn,
    "mute": _mute,
    "unmute": _unmute,
    "remove": _remove_member,
    "ban": _ban,
    "moderator": _make_moderator,
    "member": _make_member,
    "admit": _admit,
    "decline": _decline,
}


@require_POST
@community_view(moderator=True)
def member_action(request, member, member_id):
    rows = Member.objects.filter(community_id=member.community_id).select_related("user__profile")
    target = get_object_or_404(rows, pk=member_id)
    form = MemberActionForm(request.POST, community=member.community)
    try:
        if not form.is_valid():
            raise CommunityError(form.first_error())
        action = MEMBER_ACTIONS[form.cleaned_data["action"]]
        messages.success(request, action(member, target, form.cleaned_data))
    except CommunityError as error:
        messages.error(request, str(error))
    fallback = reverse("communities:moderation_members", args=[member.community_id])
    return redirect(safe_next(request) or fallback)


@require_POST
@community_view(moderator=True)
def invite(request, member):
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            moderation.do_invite_by_email(form.cleaned_data["email"], acting=member)
        except CommunityError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, "Invitation sent.")
            return redirect("communities:moderation_members", community_id=member.community_id)
    return _members_page(request, member, form)


# --- The log -----------------------------------------------------------------------------


@community_view(moderator=True)
def log(request, member):
    entries = ModerationAction.objects.filter(community_id=member.community_id).select_related(
        "moderator__profile", "member__profile", "post__parent", "rule"
    )
    page = Paginator(entries, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "communities/moderation_log.html", _context(member, page=page))


# --- Settings ----------------------------------------------------------------------------


@community_view(owner=True)
def settings(request, member):
    # A fresh copy: an invalid form must not rename the community in the page's own header.
    community = Community.objects.get(pk=member.community_id)
    form = SettingsForm(posted(request), community=community)
    if form.is_valid():
        fields = {name: form.cleaned_data[name] for name in SettingsForm.Meta.fields}
        moderation.do_update_settings(
            community, acting=member, questions=form.cleaned_data["questions_text"], **fields
        )
        messages.success(request, "Settings saved.")
        return redirect("communities:settings", community_id=community.pk)
    return render(request, "communities/settings.html", _context(member, form=form))


@community_view(owner=True)
def rules(request, member):
    form = RulesForm(posted(request), community=member.community)
    if form.is_valid():
        try:
            actions.do_set_rules(
                member.community, form.cleaned_data["rules_text"], acting_user=member.user
            )
        except CommunityError as error:
            form.add_error("rules_text", str(error))
        else:
            messages.success(request, "Rules saved. Members agree to them again before posting.")
            return redirect("communities:settings_rules", community_id=member.community_id)
    return render(request, "communities/settings_rules.html", _context(member, form=form))


@community_view(moderator=True)
def auto_rules(request, member):
    form = AutoRuleForm(posted(request), community=member.community)
    if form.is_valid():
        moderation.do_add_auto_rule(acting=member, **form.cleaned_data)
        messages.success(request, "Automatic rule added. It applies to every new post and edit.")
        return redirect("communities:settings_auto_rules", community_id=member.community_id)
    listed = member.community.auto_rules.select_related("rule")
    context = _context(member, form=form, auto_rules=listed)
    return render(request, "communities/settings_auto_rules.html", context)


@require_POST
@community_view(moderator=True)
def auto_rule_delete(request, member, auto_rule_id):
    auto_rule = get_object_or_404(member.community.auto_rules, pk=auto_rule_id)
    moderation.do_delete_auto_rule(auto_rule, acting=member)
    messages.success(request, "Automatic rule deleted.")
    return redirect("communities:settings_auto_rules", community_id=member.community_id)

"""Community pages for members: the list and feed, a community's front door and home, its
rules, sub-groups, posts and threads. Moderation is in ``moderation_views.py``, search in
``search_views.py``, digests in ``digest_views.py``."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peerhaven.accounts.models import User
from peerhaven.communities import actions, feeds
from peerhaven.communities.access import (
    community_front_door,
    community_view,
    get_post,
    get_subgroup,
)
from peerhaven.communities.actions import CommunityError
from peerhaven.communities.forms import (
    CommunityForm,
    DigestForm,
    EditForm,
    JoinRequestForm,
    PostForm,
    ReplyForm,
    ReportForm,
    SubGroupForm,
)
from peerhaven.communities.models import Community, Member, Post, SubGroup, SubGroupMember
from peerhaven.communities.phi import possible_patient_details
from peerhaven.lib.requests import posted, posted_id, query_id, safe_next

# --- The list and starting a community -------------------------------------------------


def community_list(request):
    mine = Community.objects.with_member(request.user)
    threads, next_cursor = feeds.thread_page(
        feeds.followed_threads(request.user),
        request.GET.get("after"),
    )
    context = {
        "communities": mine,
        "threads": threads,
        "next_cursor": next_cursor,
        "invitations": Community.objects.filter(
            members__user=request.user, members__state=Member.State.INVITED
        ),
        "directory": _directory(request.user),
    }
    return render(request, "communities/list.html", context)


def _directory(user):
    active = Q(members__state=Member.State.ACTIVE)
    theirs = Member.objects.filter(user=user).exclude(state=Member.State.LEFT)
    return (
        Community.objects.listed()
        .exclude(pk__in=theirs.values("community"))
        .annotate(member_total=Count("members", filter=active))
        .order_by("-member_total", "name")[:30]
    )


def community_create(request):
    form = CommunityForm(posted(request))
    if form.is_valid():
        settings = {
            name: form.cleaned_data[name]
            for name in ("description", "visibility", "join_policy", "allow_anonymous")
        }
        community = actions.do_start_community(
            acting_user=request.user,
            name=form.cleaned_data["name"],
            rules=form.cleaned_data["rules_text"],
            questions=form.cleaned_data["questions_text"],
            **settings,
        )
        messages.success(request, "Your community is open. Next: add groups people can join.")
        return redirect("communities:subgroups", community_id=community.pk)
    return render(request, "communities/create.html", {"form": form})


# --- A community's front door, home and rules -------------------------------------------


def community_detail(request, community_id):
    community, member = community_front_door(request.user, community_id)
    if member is None or not member.is_active:
        return _front_door(request, community, member)
    kind = request.GET.get("kind")
    unanswered = request.GET.get("unanswered") == "1"
    threads, next_cursor = feeds.thread_page(
        feeds.community_threads(member, kind=kind, unanswered=unanswered),
        request.GET.get("after"),
    )
    context = {
        "community": community,
        "member": member,
        "threads": threads,
        "next_cursor": next_cursor,
        "kind": kind if kind in Post.Kind.values else "",
        "unanswered": unanswered,
        "kinds": Post.Kind.choices,
        "my_groups": _my_groups(member),
        "digest_form": DigestForm(initial={"digest": member.digest}),
    }
    return render(request, "communities/detail.html", context)


def _my_groups(member):
    mine = SubGroupMember.objects.filter(user_id=member.user_id).values("subgroup")
    return SubGroup.objects.visible_to(member).filter(pk__in=mine)


def _front_door(request, community, member):
    """What someone outside sees: what the community is for, its rules, and how to join."""
    context = {
        "community": community,
        "member": member,
        "rules": community.rules.all(),
    }
    return render(request, "communities/front_door.html", context)


def community_join(request, community_id):
    community, member = community_front_door(request.user, community_id)
    if member is not None and member.is_active:
        return redirect("communities:detail", community_id=community.pk)
    if community.join_policy == Community.JoinPolicy.REQUEST and not _is_invited(member):
        return _request_to_join(request, community)
    if request.method != "POST":
        return redirect("communities:detail", community_id=community.pk)
    try:
        actions.do_join(community, acting_user=request.user)
    except CommunityError as error:
        messages.error(request, str(error))
        return redirect("communities:detail", community_id=community.pk)
    messages.success(request, f"Welcome to {community.name}. Please read the rules first.")
    return redirect("communities:rules", community_id=community.pk)


def _is_invited(member) -> bool:
    return member is not None and member.state == Member.State.INVITED


def _request_to_join(request, community):
    form = JoinRequestForm(posted(request), questions=community.questions.all())
    if form.is_valid():
        try:
            actions.do_request_to_join(community, form.answers(), acting_user=request.user)
        except CommunityError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Thank you. The moderators will read your answers soon.")
        return redirect("communities:detail", community_id=community.pk)
    context = {"community": community, "form": form, "rules": community.rules.all()}
    return render(request, "communities/join.html", context)


@require_POST
@community_view()
def community_leave(request, member):
    try:
        actions.do_leave(member)
    except CommunityError as error:
        messages.error(request, str(error))
        return redirect("communities:detail", community_id=member.community_id)
    messages.success(request, f"You have left {member.community.name}.")
    return redirect("communities:list")


@community_view()
def community_rules(request, member):
    if request.method == "POST":
        actions.do_agree_to_rules(member)
        messages.success(request, "Thank you. You can post now.")
        return redirect(
            safe_next(request) or "communities:detail", community_id=member.community_id
        )
    context = {
        "community": member.community,
        "member": member,
        "rules": member.community.rules.all(),
    }
    return render(request, "communities/rules.html", context)


@require_POST
@community_view()
def digest_setting(request, member):
    form = DigestForm(request.POST)
    if form.is_valid():
        actions.do_set_digest(member, form.cleaned_data["digest"])
        messages.success(request, f"Digest: {member.get_digest_display().lower()}.")
    return redirect("communities:detail", community_id=member.community_id)


@community_view()
def person(request, member, user_id):
    """A member's page as another member sees it: who they are, and the communities the two
    share (never the others)."""
    other = (
        Member.objects.select_related("user__profile")
        .filter(community_id=member.community_id, user_id=user_id, state=Member.State.ACTIVE)
        .first()
    )
    if other is None:
        raise Http404("No such member.")
    shared = Community.objects.with_member(request.user).filter(
        members__user_id=user_id, members__state=Member.State.ACTIVE
    )
    context = {"community": member.community, "member": member, "other": other, "shared": shared}
    return render(request, "communities/person.html", context)


# --- Sub-groups ------------------------------------------------------------------------


@community_view()
def subgroup_list(request, member):
    mine = SubGroupMember.objects.filter(user_id=member.user_id)
    groups = SubGroup.objects.visible_to(member).prefetch_related(
        Prefetch("memberships", queryset=mine, to_attr="my_rows")
    )
    context = {"community": member.community, "member": member, "groups": groups}
    return render(request, "communities/subgroups.html", context)


@community_view(moderator=True)
def subgroup_create(request, member):
    form = SubGroupForm(posted(request))
    if form.is_valid():
        name = form.cleaned_data["name"]
        if member.community.subgroups.filter(name__iexact=name).exists():
            form.add_error("name", "This community already has a group with that name.")
        else:
            subgroup = actions.do_create_subgroup(member, **form.cleaned_data)
            messages.success(request, f"“{subgroup.name}” is ready.")
            return redirect(
                "communities:subgroup", community_id=member.community_id, subgroup_id=subgroup.pk
            )
    return render(
        request, "communities/subgroup_create.html", {"community": member.community, "form": form}
    )


@community_view()
def subgroup_detail(request, member, subgroup_id):
    subgroup = get_subgroup(member, subgroup_id)
    threads, next_cursor = feeds.thread_page(
        feeds.community_threads(member).filter(subgroup=subgroup), request.GET.get("after")
    )
    context = {
        "community": member.community,
        "member": member,
        "subgroup": subgroup,
        "my_row": subgroup.memberships.filter(user_id=member.user_id).first(),
        "threads": threads,
        "next_cursor": next_cursor,
    }
    return render(request, "communities/subgroup.html", context)


SUBGROUP_ACTIONS = {
    "join": lambda member, group: actions.do_join_subgroup(member, group),
    "leave": lambda member, group: actions.do_leave_subgroup(member, group),
    "follow": lambda member, group: actions.do_set_following(member, group, True),
    "unfollow": lambda member, group: actions.do_set_following(member, group, False),
}


@require_POST
@community_view()
def subgroup_membership(request, member, subgroup_id):
    subgroup = get_subgroup(member, subgroup_id)
    action = SUBGROUP_ACTIONS.get(request.POST.get("action"))
    if action is None:
        messages.error(request, "Choose join, leave, follow or unfollow.")
    else:
        try:
            action(member, subgroup)
        except CommunityError as error:
            messages.error(request, str(error))
    return redirect(
        safe_next(request) or "communities:subgroup",
        community_id=member.community_id,
        subgroup_id=subgroup.pk,
    )


@require_POST
@community_view(moderator=True)
def subgroup_add_member(request, member, subgroup_id):
    subgroup = get_subgroup(member, subgroup_id)
    email = request.POST.get("email", "").strip()
    user = User.objects.filter(email__iexact=email).first() if email else None
    try:
        if user is None:
            raise CommunityError("No member of this community uses that address.")
        actions.do_add_to_subgroup(subgroup, user)
    except CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{user.display_name} is in “{subgroup.name}”.")
    return redirect(
        "communities:subgroup", community_id=member.community_id, subgroup_id=subgroup.pk
    )


# --- Posts -----------------------------------------------------------------------------


def _needs_patient_check(request, form) -> list[str]:
    """What in the text might identify a patient, unless the author has confirmed it does
    not. A non-empty answer sends the form back with a warning and the confirm box."""
    if form.cleaned_data.get("confirm_no_patient"):
        return []
    text = f"{form.cleaned_data.get('title', '')}\n{form.cleaned_data['body']}"
    return possible_patient_details(text)


def _announce(request, post: Post) -> None:
    if post.state == Post.State.HELD:
        messages.info(request, f"Your post waits for a moderator. {post.held_reason}")
    else:
        messages.success(request, "Posted.")


@community_view()
def post_create(request, member):
    if not member.has_agreed_to_rules:
        messages.info(request, "Please read and agree to the rules before your first post.")
        return redirect("communities:rules", community_id=member.community_id)
    asked_group = request.POST.get("subgroup") or request.GET.get("group", "")
    initial = {"kind": request.GET.get("kind"), "subgroup": asked_group}
    form = PostForm(posted(request), member=member, initial=initial, asked_group=asked_group)
    warnings = []
    if form.is_valid() and not (warnings := _needs_patient_check(request, form)):
        data = form.cleaned_data
        try:
            post = actions.do_post(
                member,
                kind=data["kind"],
                subgroup=data["subgroup"],
                title=data["title"],
                body=data["body"],
                anonymous=data.get("anonymous", False),
            )
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            _announce(request, post)
            return redirect("communities:post", community_id=member.community_id, post_id=post.pk)
    context = {"community": member.community, "member": member, "form": form, "phi": warnings}
    return render(request, "communities/post_form.html", context)


@community_view()
def thread(request, member, post_id):
    post = get_post(member, post_id)
    if not post.is_thread:
        return redirect(post.get_absolute_url())
    form = ReplyForm(posted(request), member=member)
    warnings = []
    if form.is_valid() and not (warnings := _needs_patient_check(request, form)):
        try:
            reply = actions.do_post(
                member,
                parent=post,
                body=form.cleaned_data["body"],
                anonymous=form.cleaned_data.get("anonymous", False),
            )
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            _announce(request, reply)
            return redirect(reply.get_absolute_url())
    context = {
        "community": member.community,
        "member": member,
        "post": post,
        "form": form,
        "phi": warnings,
        **_replies(request, member, post),
    }
    if request.htmx:
        return render(request, "communities/thread.html#replies", context)
    return render(request, "communities/thread.html", context)


def _replies(request, member, post) -> dict:
    """A page of the thread's replies (from a linked reply, or after a cursor), the accepted
    answer, and what the viewer may do with them."""
    replies = Post.objects.readable_by(member).filter(parent=post)
    linked_id = query_id(request, "reply")
    linked = replies.filter(pk=linked_id).first() if linked_id else None
    page, next_cursor = feeds.reply_page(replies, request.GET.get("after"), first=linked)
    accepted = None
    if post.accepted_answer_id:
        accepted = (
            replies.select_related("author__profile").filter(pk=post.accepted_answer_id).first()
        )
    return {
        "replies": page,
        "next_cursor": next_cursor,
        "partial_page": linked is not None or bool(request.GET.get("after")),
        "accepted": accepted,
        "accept_url": reverse("communities:accept_answer", args=[member.community_id, post.pk]),
        "may_accept": post.kind == Post.Kind.QUESTION
        and (post.author_id == member.user_id or member.is_moderator),
    }


@community_view()
def post_edit(request, member, post_id):
    post = get_post(member, post_id)
    if post.author_id != member.user_id:
        raise Http404("No such post.")
    form = EditForm(posted(request), post=post)
    if form.is_valid():
        try:
            actions.do_edit_post(
                post,
                member,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title", ""),
            )
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            _announce(request, post)
            return redirect(post.get_absolute_url())
    context = {"community": member.community, "member": member, "post": post, "form": form}
    return render(request, "communities/post_edit.html", context)


@require_POST
@community_view()
def accept_answer(request, member, post_id):
    question = get_post(member, post_id)
    reply = Post.objects.readable_by(member).filter(pk=posted_id(request, "reply")).first()
    try:
        if reply is None:
            raise CommunityError("Choose a reply to accept.")
        actions.do_accept_answer(question, reply, member)
    except CommunityError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Answer accepted. Thank you for closing the loop.")
    return redirect("communities:post", community_id=member.community_id, post_id=question.pk)


@community_view()
def post_report(request, member, post_id):
    post = get_post(member, post_id)
    form = ReportForm(posted(request), community=member.community)
    if form.is_valid():
        try:
            actions.do_report(
                post, member, rule=form.cleaned_data["rule"], note=form.cleaned_data["note"]
            )
        except CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Thank you. The moderators will review it.")
            return redirect(post.get_absolute_url())
    context = {"community": member.community, "member": member, "post": post, "form": form}
    return render(request, "communities/report.html", context)

"""Who may see what of a community. Every community view goes through ``community_view``.

- A community's posts, sub-groups and members are for its active members only; everyone
  else (site staff included) sees at most its public face: name, description, rules and
  membership questions, and only for a listed community or through its link.
- Private sub-groups and their posts are for the sub-group's members (and the community's
  moderators, who answer for everything posted in it).
- Moderator and owner pages give ordinary members 403. A moderator's powers stop at their
  own community: every lookup below is scoped to the community in the URL.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from peerhaven.communities.models import Community, Member, Post, SubGroup


def get_member(user, community_id) -> Member:
    """The user's active membership of the community, or 404."""
    if not user.is_authenticated:
        raise Http404
    member = (
        Member.objects.select_related("community")
        .filter(community_id=community_id, user=user, state=Member.State.ACTIVE)
        .first()
    )
    if member is None:
        raise Http404("No such community.")
    return member


def community_view(*, moderator: bool = False, owner: bool = False):
    """Resolve ``community_id`` into the viewer's membership; the view is called as
    ``view(request, member, **kwargs)``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, community_id, *args, **kwargs):
            member = get_member(request.user, community_id)
            if owner and not member.is_owner:
                raise PermissionDenied("Only the community's owners can do this.")
            if moderator and not member.is_moderator:
                raise PermissionDenied("Only the community's moderators can do this.")
            return view(request, member, *args, **kwargs)

        return wrapper

    return decorator


def community_front_door(user, community_id) -> tuple[Community, Member | None]:
    """A community's public face and the visitor's membership row, if any (a request, an
    invitation, a ban). Anyone signed in may open it: a listed community is in the
    directory and an unlisted one is shared by its link."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        raise Http404("No such community.")
    return community, community.members.filter(user=user).first()


def get_post(member: Member, post_id) -> Post:
    post = (
        Post.objects.readable_by(member)
        .select_related("subgroup", "author__profile", "removed_for")
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def get_subgroup(member: Member, subgroup_id) -> SubGroup:
    subgroup = SubGroup.objects.visible_to(member).filter(pk=subgroup_id).first()
    if subgroup is None:
        raise Http404("No such group.")
    return subgroup

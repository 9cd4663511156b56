"""Who may see what of a circle. Every circle view goes through ``circle_view``.

- Outsiders (non-members, former members, staff, site admins) get 404: a circle's inner
  pages do not exist for them.
- Members who have not agreed to the current charter see only the charter page.
- Convener-only actions give members 403.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from peerhaven.circles.models import CharterAgreement, Circle, Membership


def get_membership(user, circle_id) -> Membership:
    """The user's current membership of the circle, or 404."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("circle")
        .filter(circle_id=circle_id, user=user, state=Membership.State.ACTIVE)
        .first()
    )
    if membership is None:
        raise Http404("No such circle.")
    return membership


def has_agreed_to_current_charter(membership: Membership) -> bool:
    charter = membership.circle.current_charter()
    if charter is None:
        return True
    return CharterAgreement.objects.filter(version=charter, user_id=membership.user_id).exists()


def circle_view(*, content: bool = True, convener: bool = False):
    """Resolve ``circle_id`` into the viewer's membership and enforce the rules above. The
    view is called as ``view(request, membership, **kwargs)``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, circle_id, *args, **kwargs):
            membership = get_membership(request.user, circle_id)
            if content and not has_agreed_to_current_charter(membership):
                return redirect("circles:charter", circle_id=circle_id)
            if convener and not membership.is_convener:
                raise PermissionDenied("Only the convener can do this.")
            return view(request, membership, *args, **kwargs)

        return wrapper

    return decorator


def listed_circle_or_404(circle_id) -> Circle:
    """A circle's public face (name, description, size) for people who may ask to join."""
    circle = Circle.objects.open_to_requests().filter(pk=circle_id).first()
    if circle is None:
        raise Http404("No such circle.")
    return circle

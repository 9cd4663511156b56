"""Who may see what of a program. Staff views go through ``program_view``.

- People with no role at the program's organization get 404: the program's staff pages
  do not exist for them (members see only their own enrolment).
- Staff whose role does not allow the page (a researcher editing, say) get 403.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404

from peerhaven.orgs.models import StaffRole
from peerhaven.programs.models import MANAGING_ROLES, STAFF_ROLES, Program


def roles_at(user, program: Program) -> set[str]:
    if not user.is_authenticated:
        return set()
    grants = StaffRole.objects.filter(user=user, organization_id=program.organization_id)
    return set(grants.values_list("role", flat=True))


def program_view(*, roles=MANAGING_ROLES):
    """Resolve ``program_id`` for a staff page; the view is called as
    ``view(request, program, **kwargs)``."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, program_id, *args, **kwargs):
            program = Program.objects.select_related("organization").filter(pk=program_id).first()
            held = roles_at(request.user, program) if program else set()
            if program is None or not held & set(STAFF_ROLES):
                raise Http404("No such program.")
            if not held & set(roles):
                raise PermissionDenied("Your role in this program does not include this page.")
            # The program's tabs show each role the pages it can use.
            request.program_roles = held
            return view(request, program, *args, **kwargs)

        return wrapper

    return decorator

"""The unsubscribe link in digest e-mails. It works without signing in: the signed token in
the URL names the membership, and is the only authority the page needs.

Mail scanners open links before people do, so a GET only asks; a POST from the page (with
its CSRF token) or the one-click POST a mail client sends for ``List-Unsubscribe-Post``
(RFC 8058, which cannot carry a CSRF token) switches the digest off."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from peerhaven.communities.actions import do_set_digest
from peerhaven.communities.digests import member_for_token
from peerhaven.communities.models import Member

ONE_CLICK = "One-Click"


@login_not_required
@csrf_exempt  # for the one-click POST only; every other request goes through _confirm
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    member = member_for_token(token)
    if member is None:
        return render(request, "communities/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == ONE_CLICK:
        do_set_digest(member, Member.Digest.NONE)
        return HttpResponse(
            f"You will get no more digests from {member.community.name}.",
            content_type="text/plain; charset=utf-8",
        )
    return _confirm(request, member)


@csrf_protect
def _confirm(request, member):
    done = request.method == "POST"
    if done:
        do_set_digest(member, Member.Digest.NONE)
    context = {"member": member, "community": member.community, "done": done}
    return render(request, "communities/unsubscribe.html", context)

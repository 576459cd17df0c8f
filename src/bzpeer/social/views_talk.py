"""Invitations, conversations, blocks, reports and the moderators' report
queue. A conversation or an invitation answers 404 to anyone but its two
sides: its existence is nobody else's business."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bzpeer.catalog.models import Author
from bzpeer.claims.services import account_id, require_moderator
from bzpeer.claims.suppression import is_suppressed

from . import coi, conversations, invitations, reports
from .invitations import Invalid, Refused
from .models import Invitation, Message, Report


def _refused(request: HttpRequest, refused: Refused) -> HttpResponse:
    return render(request, "social/refused.html", {"error": str(refused)}, status=refused.status)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug, merged_into=None)
    if is_suppressed(author.pk):
        raise Http404("no such record")
    try:
        mine, _ = invitations.invite_check(request.user, author)
    except Refused as refused:
        return _refused(request, refused)
    context: dict[str, object] = {
        "author": author,
        "mine": mine,
        "report": coi.conflicts(mine, author),
        "message": request.POST.get("message", "")[:5000],
        "fit": request.POST.get("fit", "")[:1000],
    }
    if request.method == "POST":
        try:
            sent = invitations.invite(
                request.user, author, str(context["message"]), str(context["fit"])
            )
        except Refused as refused:
            context["error"] = str(refused)
            return render(request, "social/invite.html", context, status=refused.status)
        return redirect("invitation", pk=sent.pk)
    return render(request, "social/invite.html", context)


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "social/inbox.html",
        {
            "received": invitations.received(request.user),
            "sent": invitations.sent(request.user),
            "talks": conversations.conversations(request.user),
        },
    )


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    found = invitations.visible_to(request.user, pk)
    if found is None:
        raise Http404("no such invitation")
    return found


@login_required
@require_GET
def invitation(request: HttpRequest, pk: int) -> HttpResponse:
    item = _invitation(request, pk)
    talk = getattr(item, "conversation", None) if item.status == "accepted" else None
    return render(
        request,
        "social/invitation.html",
        {"i": item, "mine": item.sender_id == account_id(request.user), "talk": talk},
    )


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    item = _invitation(request, pk)
    choice = request.POST.get("answer", "")
    try:
        if choice == "accept":
            talk = invitations.accept(request.user, item)
            return redirect("conversation", pk=talk.pk)
        if choice in ("decline", "block"):
            invitations.decline(request.user, item, block_sender=choice == "block")
            return redirect("invitation", pk=item.pk)
    except Refused as refused:
        return _refused(request, refused)
    return _refused(request, Invalid("Choose accept, decline, or decline and block."))


def _conversation(request: HttpRequest, pk: int) -> conversations.Conversation:
    found = conversations.visible_to(request.user, pk)
    if found is None:
        raise Http404("no such conversation")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    talk = _conversation(request, pk)
    status, error, draft = 200, "", ""
    if request.method == "POST":
        draft = request.POST.get("body", "")[:5000]
        try:
            conversations.send_message(request.user, talk, draft)
        except Refused as refused:
            status, error = refused.status, str(refused)
        else:
            return redirect("conversation", pk=talk.pk)
    me = account_id(request.user)
    other = conversations.other_side(talk, me)
    invitation = talk.invitation
    return render(
        request,
        "social/conversation.html",
        {
            "talk": talk,
            "i": invitation,
            "me": me,
            "other_author": (
                invitation.recipient_author
                if invitation.sender_id == me
                else invitation.sender_author
            ),
            "messages_": conversations.thread(request.user, talk),
            "cannot": conversations.can_write(request.user, talk),
            "blocked_them": invitations.blocked(me, other),
            "error": error,
            "draft": draft if error else "",
        },
        status=status,
    )


@login_required
@require_POST
def block(request: HttpRequest, pk: int) -> HttpResponse:
    """Block, or unblock, the other side of a conversation."""
    talk = _conversation(request, pk)
    other = conversations.other_side(talk, account_id(request.user))
    if request.POST.get("action") == "unblock":
        invitations.unblock(request.user, other)
    else:
        invitations.block(request.user, other)
    return redirect("conversation", pk=talk.pk)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """Report a message (``?message=``) or an invitation (``?invitation=``)."""
    source = request.POST if request.method == "POST" else request.GET
    message_id, invitation_id = source.get("message", ""), source.get("invitation", "")
    message = invitation = None
    if message_id.isascii() and message_id.isdigit() and len(message_id) < 19:
        message = get_object_or_404(Message.objects.select_related("conversation"), pk=message_id)
        if conversations.visible_to(request.user, message.conversation_id) is None:
            raise Http404("no such message")
    elif invitation_id.isascii() and invitation_id.isdigit() and len(invitation_id) < 19:
        invitation = _invitation(request, int(invitation_id))
    else:
        return _refused(request, Invalid("Say which message or invitation you report."))
    context: dict[str, object] = {"message": message, "invitation": invitation, "reason": ""}
    if request.method == "POST":
        context["reason"] = request.POST.get("reason", "")[:2000]
        try:
            reports.report(
                request.user, str(context["reason"]), invitation=invitation, message=message
            )
        except Refused as refused:
            context["error"] = str(refused)
            return render(request, "social/report.html", context, status=refused.status)
        context["done"] = True
    return render(request, "social/report.html", context)


@login_required
@require_GET
def report_queue(request: HttpRequest) -> HttpResponse:
    require_moderator(request.user)
    decided = (
        Report.objects.exclude(status=Report.Status.PENDING)
        .select_related("decided_by", "reporter")
        .order_by("-decided_at")[:50]
    )
    return render(
        request, "social/reports.html", {"pending": reports.pending(), "decided": decided}
    )


@login_required
@require_POST
def decide_report(request: HttpRequest, pk: int) -> HttpResponse:
    require_moderator(request.user)
    item = get_object_or_404(Report, pk=pk)
    try:
        reports.decide_report(
            request.user, item, request.POST.get("decision", ""), request.POST.get("reason", "")
        )
    except Refused as refused:
        return _refused(request, refused)
    return redirect("moderation_reports")

"""The claim workflow: an account says "this author record is me", the
evidence decides the path (docs/trust.md, "Claiming a record").

- the account's linked ORCID iD is the record's own, or the ORCID record
  (read at sign-in) lists works of this record by DOI or arXiv id: verified
  at once, L3;
- a verified address at a current institution's domain: verified at once, L3;
- a verified address the record's own source metadata carries: at once, L2;
- anything else, and every claim on a record another account holds: pending
  in the moderator queue; approval gives L4.

Every change of state writes a ``ClaimEvent`` (who, when, why) and queues
the record's trust refresh once committed; the profile recomputes when its
facts changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from bzpeer.catalog.identifiers import parse_arxiv, parse_doi, parse_orcid
from bzpeer.catalog.models import Author, SourceRecord, WorkIdentifier
from bzpeer.catalog.names import names_compatible, parse_name
from bzpeer.catalog.queries import current_institutions
from bzpeer.catalog.untrusted import http_url
from bzpeer.trust.tasks import schedule_refresh

from . import notices
from .domains import matching_host
from .models import Claim, ClaimEvent, OwnerProfile

User = AbstractBaseUser | AnonymousUser
Decision = Literal["approve", "needs_evidence", "reject"]
DECISIONS: tuple[Decision, ...] = ("approve", "needs_evidence", "reject")

NOTE_LIMIT = 2000
REASON_LIMIT = 2000
MODERATORS_GROUP = "moderators"
# Claims in these states are still in the moderators' hands.
REVIEWABLE = (Claim.Status.PENDING, Claim.Status.NEEDS_EVIDENCE)


class ClaimRefused(Exception):
    """The action is not allowed in the claim's or the account's state; the
    message says why, in words for the person who tried."""


def claims_per_day() -> int:
    return int(getattr(settings, "BZPEER_CLAIMS_PER_DAY", 5))


def is_moderator(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_staff", False):
        return True
    return Group.objects.filter(name=MODERATORS_GROUP, user__pk=user.pk).exists()


def require_moderator(user: User) -> None:
    if not is_moderator(user):
        raise PermissionDenied("moderators only")


def account_id(user: User) -> int:
    """The signed-in account's id (0 for an anonymous visitor, who owns nothing)."""
    return int(user.pk) if user.is_authenticated and user.pk is not None else 0


def verified_emails(user: User) -> list[str]:
    """The account's addresses confirmed through allauth."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated:
        return []
    return list(
        EmailAddress.objects.filter(user_id=account_id(user), verified=True)
        .order_by("-primary", "email")
        .values_list("email", flat=True)
    )


ORCID_PROVIDER = "orcid"
# An ORCID work's external ids that name the work itself ("self") or another
# version of it ("version-of", e.g. the preprint); "part-of" (the book of a
# chapter) and "funded-by" name something else.
WORK_RELATIONSHIPS = {"self", "version-of"}
ARXIV_DOI = "10.48550/arxiv."


def linked_orcids(user: User) -> dict[str, dict[str, Any]]:
    """The ORCID iDs linked to the account (allauth ``SocialAccount``s of the
    ORCID provider: signed in with, or linked on /accounts/3rdparty/), each
    with the ORCID record read at its latest sign-in."""
    from allauth.socialaccount.models import SocialAccount

    if not user.is_authenticated:
        return {}
    linked: dict[str, dict[str, Any]] = {}
    for uid, record in SocialAccount.objects.filter(
        user_id=account_id(user), provider=ORCID_PROVIDER
    ).values_list("uid", "extra_data"):
        orcid = parse_orcid(uid)
        if orcid:
            linked[orcid] = record if isinstance(record, dict) else {}
    return linked


def _external_ids(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The external ids of the works an ORCID v3.0 record (``/v3.0/{iD}/record``
    as JSON) lists: each group's, and each of its work summaries'."""
    works = (record.get("activities-summary") or {}).get("works") or {}
    groups = works.get("group") if isinstance(works, dict) else None
    for group in groups if isinstance(groups, list) else []:
        if not isinstance(group, dict):
            continue
        holders = [group, *(s for s in group.get("work-summary") or [] if isinstance(s, dict))]
        for holder in holders:
            ids = (holder.get("external-ids") or {}).get("external-id")
            for ext in ids if isinstance(ids, list) else []:
                if isinstance(ext, dict):
                    yield ext


def orcid_work_ids(record: dict[str, Any]) -> tuple[set[str], set[str]]:
    """DOIs and arXiv ids of the works an ORCID record lists. An arXiv DOI
    (10.48550/arXiv.2106.10404) counts as its arXiv id too."""
    dois: set[str] = set()
    arxiv: set[str] = set()
    for ext in _external_ids(record):
        relationship = str(ext.get("external-id-relationship") or "self").lower()
        if relationship not in WORK_RELATIONSHIPS:
            continue
        kind = str(ext.get("external-id-type") or "").lower()
        normalized = ext.get("external-id-normalized")
        values = [ext.get("external-id-value")]
        if isinstance(normalized, dict):
            values.append(normalized.get("value"))
        for value in (v for v in values if isinstance(v, str)):
            if kind == "doi" and (doi := parse_doi(value)):
                dois.add(doi)
                if doi.startswith(ARXIV_DOI) and (arxiv_id := parse_arxiv(doi[len(ARXIV_DOI) :])):
                    arxiv.add(arxiv_id)
            elif kind == "arxiv" and (arxiv_id := parse_arxiv(value)):
                arxiv.add(arxiv_id)
    return dois, arxiv


def orcid_works_matched(author: Author, record: dict[str, Any]) -> int:
    """How many of the record's works the ORCID record lists, by DOI or arXiv id."""
    dois, arxiv = orcid_work_ids(record)
    if not dois and not arxiv:
        return 0
    wanted = {("doi", d) for d in dois} | {("arxiv", a) for a in arxiv}
    rows = (
        WorkIdentifier.objects.filter(work__mentions__author=author, scheme__in=("doi", "arxiv"))
        .values_list("work_id", "scheme", "value")
        .distinct()
    )
    return len({work for work, scheme, value in rows if (scheme, value.lower()) in wanted})


def _value(node: object) -> str:
    value = node.get("value") if isinstance(node, dict) else None
    return value.strip() if isinstance(value, str) else ""


def orcid_names(record: dict[str, Any]) -> list[str]:
    """The public names of an ORCID record: "family, given", the credit name
    and the other names."""
    person = record.get("person")
    person = person if isinstance(person, dict) else {}
    name = person.get("name")
    name = name if isinstance(name, dict) else {}
    names = []
    family, given = _value(name.get("family-name")), _value(name.get("given-names"))
    if family:
        names.append(f"{family}, {given}" if given else family)
    if credit := _value(name.get("credit-name")):
        names.append(credit)
    others = person.get("other-names")
    others = others.get("other-name") if isinstance(others, dict) else None
    for other in others if isinstance(others, list) else []:
        content = other.get("content") if isinstance(other, dict) else None
        if isinstance(content, str) and content.strip():
            names.append(content.strip())
    return names


def orcid_name_agrees(author: Author, record: dict[str, Any]) -> bool:
    """Whether one of the ORCID record's public names is compatible with the
    record's name or one of its variants (same surname, compatible given names)."""
    mine = [parse_name(n) for n in orcid_names(record)]
    theirs = [parse_name(author.display_name)]
    theirs += [parse_name(v) for v in author.name_variants or [] if isinstance(v, str)]
    return any(names_compatible(a, b) for a in mine for b in theirs)


def orcid_proves(author: Author, orcid: str, record: dict[str, Any], matched: int) -> bool:
    """Whether an ORCID sign-in proves the account is this record's person: its
    iD is the record's own; or its ORCID record lists works of this record
    while the record names no other iD, no other record holds this iD, and the
    ORCID record's public name agrees. Co-authors' ORCID records list the
    shared works too: these guards keep them off each other's records."""
    if author.orcid:
        return orcid == author.orcid
    if matched == 0 or Author.objects.filter(orcid=orcid).exclude(pk=author.pk).exists():
        return False
    return orcid_name_agrees(author, record)


def current_institution_links(author: Author) -> list[str]:
    """Links of the record's current institutions: open-ended affiliations,
    else those that ended last."""
    return [str(link) for place in current_institutions(author) for link in (place.links or [])]


def email_in_sources(author: Author, email: str) -> bool:
    """Whether the address is written in a source record of the record's own
    authorships (a corresponding-author address, an ORCID record's e-mail)."""
    candidates = SourceRecord.objects.filter(
        version__mentions__author=author, payload__icontains=email
    ).values_list("payload", flat=True)
    whole = re.compile(rf"(?<![\w.+%-]){re.escape(email)}(?![\w-])", re.IGNORECASE)
    return any(whole.search(payload) for payload in candidates.iterator())


def release(author_id: int) -> None:
    """The record's claim ended: its owner's statements go with it."""
    OwnerProfile.objects.filter(author_id=author_id).delete()
    Author.objects.filter(pk=author_id, open_to_collaborate=True).update(open_to_collaborate=False)


def _log(claim: Claim, actor: User | None, action: str, reason: str = "") -> None:
    """Record the change of state and queue the record's trust refresh."""
    author_id = claim.author_id
    transaction.on_commit(lambda: schedule_refresh([author_id]))
    ClaimEvent.objects.create(
        claim=claim,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        action=action,
        status=claim.status,
        reason=reason,
    )


def standing_claim(author: Author, user: User) -> Claim | None:
    return (
        Claim.objects.filter(author=author, status=Claim.Status.VERIFIED)
        .exclude(user_id=account_id(user))
        .first()
    )


def claim_author(
    user: User,
    author: Author,
    *,
    email: str = "",
    orcid: str = "",
    evidence_url: str = "",
    note: str = "",
) -> Claim:
    """Claim ``author`` for ``user`` with one of the account's verified
    addresses, or with an ORCID iD linked to the account (``orcid``; an iD the
    account did not sign in with is refused, whoever's it is)."""
    if not user.is_authenticated:
        raise PermissionDenied("sign in to claim a record")
    email = email.strip()
    record: dict[str, Any] | None = None
    if orcid.strip():
        orcid = parse_orcid(orcid.strip()) or ""
        record = linked_orcids(user).get(orcid)
        if record is None:
            raise ClaimRefused(
                "Use the ORCID iD you signed in with: link it to your account first."
            )
        email = ""
    elif email.lower() not in {e.lower() for e in verified_emails(user)}:
        raise ClaimRefused("Use one of your verified e-mail addresses; confirm it first.")
    evidence, note = _clean_evidence(evidence_url, note)
    with transaction.atomic():
        # One claim at a time per account: lock the account's claims while deciding.
        mine = list(Claim.objects.select_for_update().filter(user_id=account_id(user)))
        held = next((c for c in mine if c.status in Claim.OPEN), None)
        if held is not None:
            what = "hold" if held.status == Claim.Status.VERIFIED else "have an open claim on"
            raise ClaimRefused(
                f"You already {what} the record “{held.author.display_name[:120]}”: "
                "an account holds one record. Withdraw that claim first."
            )
        since = timezone.now() - timedelta(days=1)
        if sum(1 for c in mine if c.created_at >= since) >= claims_per_day():
            raise ClaimRefused(
                f"At most {claims_per_day()} claims a day per account; try again tomorrow."
            )
        claim = Claim(
            author=author,
            user_id=account_id(user),
            email=email,
            email_verified=record is None,
            evidence_url=evidence,
            note=note,
        )
        if record is not None:  # the iD and what its record proves, for moderators too
            claim.orcid = orcid
            claim.orcid_works_matched = orcid_works_matched(author, record)
        if standing_claim(author, user) is not None:
            claim.dispute = True  # a moderator decides between the two accounts
        elif record is not None:
            if orcid_proves(author, orcid, record, claim.orcid_works_matched):
                claim.status, claim.level = Claim.Status.VERIFIED, "L3"
        elif matching_host(email, current_institution_links(author)):
            claim.status, claim.level, claim.institution_email = Claim.Status.VERIFIED, "L3", True
        elif email_in_sources(author, email):
            claim.status, claim.level = Claim.Status.VERIFIED, "L2"
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError:  # another account's claim was verified meanwhile
            claim.pk, claim.status, claim.level = None, Claim.Status.PENDING, ""
            claim.institution_email, claim.dispute = False, True
            claim.save()
        if claim.status == Claim.Status.VERIFIED:
            # Open claims of other accounts on this record now dispute it.
            Claim.objects.filter(author=author, status__in=REVIEWABLE).exclude(pk=claim.pk).update(
                dispute=True
            )
        _log(claim, user, "claim", f"verified at once, {claim.level}" if claim.level else "")
        if claim.dispute:
            transaction.on_commit(lambda: notices.dispute_opened(claim))
    return claim


def withdraw_claim(user: User, claim: Claim) -> Claim:
    """The claimant takes the claim back (pending, needing evidence or verified)."""
    if not user.is_authenticated or claim.user_id != user.pk:
        raise PermissionDenied("only the claimant can withdraw a claim")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status not in Claim.OPEN:
            raise ClaimRefused(f"This claim is already {claim.get_status_display()}.")
        was_verified = claim.status == Claim.Status.VERIFIED
        claim.status = Claim.Status.WITHDRAWN
        claim.save(update_fields=["status"])
        if was_verified:
            release(claim.author_id)
        _log(claim, user, "withdraw")
    return claim


def _clean_evidence(evidence_url: str, note: str) -> tuple[str, str]:
    evidence = evidence_url.strip()
    if evidence and not http_url(evidence):
        raise ClaimRefused("The evidence link must be an http(s) address.")
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise ClaimRefused(f"The note is limited to {NOTE_LIMIT} characters.")
    return evidence, note


def add_evidence(user: User, claim: Claim, *, evidence_url: str = "", note: str = "") -> Claim:
    """The claimant answers "needs evidence": new evidence, back to the queue."""
    if not user.is_authenticated or claim.user_id != account_id(user):
        raise PermissionDenied("only the claimant can add evidence")
    evidence, note = _clean_evidence(evidence_url, note)
    if not evidence and not note:
        raise ClaimRefused("Give an evidence link or a note.")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != Claim.Status.NEEDS_EVIDENCE:
            raise ClaimRefused("Only a claim a moderator asked evidence for takes more.")
        since = timezone.now() - timedelta(days=1)
        sent = ClaimEvent.objects.filter(
            actor_id=account_id(user), action="evidence", at__gte=since
        ).count()
        if sent >= claims_per_day():
            raise ClaimRefused(
                f"At most {claims_per_day()} evidence submissions a day; try again tomorrow."
            )
        claim.status = Claim.Status.PENDING
        claim.evidence_url = evidence or claim.evidence_url
        claim.note = note or claim.note
        claim.save(update_fields=["status", "evidence_url", "note"])
        _log(claim, user, "evidence")
    return claim


def _reason(reason: str, required: bool) -> str:
    reason = reason.strip()
    if required and not reason:
        raise ClaimRefused("Give a reason: the claimant sees it.")
    if len(reason) > REASON_LIMIT:
        raise ClaimRefused(f"The reason is limited to {REASON_LIMIT} characters.")
    return reason


def _not_own(moderator: User, claim: Claim) -> None:
    if claim.user_id == account_id(moderator):
        raise PermissionDenied("a moderator does not decide their own claim")


def review_claim(moderator: User, claim: Claim, decision: str, reason: str = "") -> Claim:
    """A moderator's decision on a pending claim: approve (verified, L4),
    needs_evidence or reject; the last two need a reason."""
    if not is_moderator(moderator):
        raise PermissionDenied("moderators only")
    _not_own(moderator, claim)
    if decision not in DECISIONS:
        raise ClaimRefused("Choose approve, needs evidence or reject.")
    reason = _reason(reason, required=decision != "approve")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status not in REVIEWABLE:
            raise ClaimRefused(f"This claim is {claim.get_status_display()}, not awaiting review.")
        if decision == "approve":
            standing = standing_claim(claim.author, claim.user)
            if standing is not None:
                raise ClaimRefused(
                    "Another account's verified claim stands on this record: revoke it first."
                )
            claim.status, claim.level = Claim.Status.VERIFIED, "L4"
        elif decision == "needs_evidence":
            claim.status = Claim.Status.NEEDS_EVIDENCE
        else:
            claim.status = Claim.Status.REJECTED
        claim.reason = reason
        claim.reviewed_by_id = moderator.pk
        claim.reviewed_at = timezone.now()
        claim.save()
        _log(claim, moderator, decision, reason)
        transaction.on_commit(lambda: notices.claim_decided(claim))
    return claim


def revoke_claim(moderator: User, claim: Claim, reason: str) -> Claim:
    """A moderator withdraws a verified claim; the record is unclaimed again."""
    if not is_moderator(moderator):
        raise PermissionDenied("moderators only")
    _not_own(moderator, claim)
    reason = _reason(reason, required=True)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().get(pk=claim.pk)
        if claim.status != Claim.Status.VERIFIED:
            raise ClaimRefused("Only a verified claim can be revoked.")
        claim.status, claim.reason = Claim.Status.REVOKED, reason
        claim.reviewed_by_id, claim.reviewed_at = moderator.pk, timezone.now()
        claim.save()
        release(claim.author_id)
        _log(claim, moderator, "revoke", reason)
        transaction.on_commit(lambda: notices.claim_decided(claim))
    return claim


def disputed_authors(claims: list[Claim]) -> set[int]:
    """Of these verified claims' records, those another account's open claim disputes."""
    held = {c.author_id: c.user_id for c in claims if c.status == Claim.Status.VERIFIED}
    return {
        author_id
        for author_id, user_id in Claim.objects.filter(
            author_id__in=held, status__in=REVIEWABLE
        ).values_list("author_id", "user_id")
        if user_id != held[author_id]
    }


def profile_claim_state(user: User, author: Author) -> str:
    """What the profile offers this visitor: login, claim, mine (verified),
    pending (their own open claim), other (verified for another account)."""
    if not user.is_authenticated:
        return "login"
    rows = list(
        Claim.objects.filter(
            Q(author=author, status=Claim.Status.VERIFIED)
            | Q(author=author, user_id=account_id(user), status__in=Claim.OPEN)
        ).values_list("user_id", "status")
    )
    if (user.pk, Claim.Status.VERIFIED) in rows:
        return "mine"
    if any(uid == user.pk for uid, _ in rows):
        return "pending"
    return "other" if rows else "claim"

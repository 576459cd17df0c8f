"""The verified owner of a record edits what the profile says of them:
display name, a one-line bio, "open to collaborate", current affiliation,
homepage and ORCID links. Plain text only, each field checked here."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from bzpeer.catalog.identifiers import parse_orcid, parse_ror
from bzpeer.catalog.models import Affiliation, Author, Institution
from bzpeer.catalog.names import names_compatible, parse_name
from bzpeer.catalog.untrusted import has_email, http_url

from .models import AuditEvent, Claim, OwnerProfile
from .services import ClaimRefused, User, account_id, is_moderator, linked_orcids

NAME_LIMIT = 200
BIO_LIMIT = 280


def owner_of(author: Author) -> int | None:
    """The account holding the record's verified claim, if any."""
    return (
        Claim.objects.filter(author=author, status=Claim.Status.VERIFIED)
        .values_list("user_id", flat=True)
        .first()
    )


def is_owner(user: User, author: Author) -> bool:
    return user.is_authenticated and owner_of(author) == account_id(user)


def owned_claim(user: User) -> Claim | None:
    """The account's verified claim, with its record (an account holds at most one)."""
    if not user.is_authenticated:
        return None
    return (
        Claim.objects.filter(user_id=account_id(user), status=Claim.Status.VERIFIED)
        .select_related("author")
        .first()
    )


def require_owner(user: User, author: Author, moderators: bool = False) -> str:
    """The acting role ("owner" or "moderator"), or PermissionDenied."""
    if is_owner(user, author):
        return "owner"
    if moderators and is_moderator(user):
        return "moderator"
    raise PermissionDenied("only the record's verified owner can do this")


def _plain(text: str, limit: int, label: str) -> str:
    """One line of plain text: whitespace folded, no control characters."""
    text = " ".join(text.split())
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in text):
        raise ClaimRefused(f"The {label} has invisible or control characters.")
    if len(text) > limit:
        raise ClaimRefused(f"The {label} is limited to {limit} characters.")
    if has_email(text):
        raise ClaimRefused(f"Leave e-mail addresses out of the {label}: profiles never show one.")
    return text


@dataclass
class ProfileEdit:
    display_name: str = ""
    bio: str = ""
    open_to_collaborate: bool = False
    institution: str = ""  # a ROR id or link, or an institution's exact name
    homepage: str = ""
    orcid: str = ""


def find_institution(text: str, author: Author) -> Institution | None:
    """The catalog's institution a field names: a ROR id or link, or a name
    (the record's own institutions first)."""
    text = text.strip()
    if not text:
        return None
    if ror := parse_ror(text.rstrip("/")):
        found = Institution.objects.filter(ror=ror).first()
        if found is None:
            raise ClaimRefused(f"No institution with ROR id {ror} in the catalog.")
        return found
    own = Institution.objects.filter(
        pk__in=Affiliation.objects.filter(author=author).values("institution_id"),
        name__iexact=text,
    ).first()
    if own is not None:
        return own
    named = list(Institution.objects.filter(name__iexact=text)[:2])
    if len(named) == 1:
        return named[0]
    if named:
        raise ClaimRefused("Several institutions have that name: give its ROR id.")
    raise ClaimRefused("No institution of that name in the catalog: give its ROR id.")


def edit_profile(user: User, author: Author, edit: ProfileEdit) -> OwnerProfile:
    """Save the owner's statements; refused for anyone but the owner."""
    require_owner(user, author)
    name = _plain(edit.display_name, NAME_LIMIT, "display name")
    if name and name != author.display_name:
        known = [
            author.display_name,
            *(v for v in author.name_variants or [] if isinstance(v, str)),
        ]
        if not any(names_compatible(parse_name(name), parse_name(k)) for k in known):
            raise ClaimRefused(
                "The display name must be a form of the record's name (same family name, "
                "compatible given names); ask a moderator for another."
            )
    bio = _plain(edit.bio, BIO_LIMIT, "bio")
    homepage = edit.homepage.strip()
    if homepage and not http_url(homepage):
        raise ClaimRefused("The homepage must be an http(s) address.")
    orcid = ""
    if edit.orcid.strip():
        orcid = parse_orcid(edit.orcid.strip()) or ""
        if not orcid:
            raise ClaimRefused("That is not an ORCID iD (0000-0002-1825-0097).")
        if orcid != author.orcid and orcid not in linked_orcids(user):
            raise ClaimRefused("Link that ORCID iD to your account (sign in with ORCID) first.")
    institution = find_institution(edit.institution, author)
    with transaction.atomic():
        profile, _ = OwnerProfile.objects.get_or_create(
            author=author, defaults={"user_id": account_id(user)}
        )
        profile.user_id = account_id(user)
        profile.display_name = "" if name == author.display_name else name
        profile.bio = bio
        profile.homepage = homepage
        profile.orcid = orcid
        profile.institution = institution
        profile.save()
        if author.open_to_collaborate != edit.open_to_collaborate:
            Author.objects.filter(pk=author.pk).update(open_to_collaborate=edit.open_to_collaborate)
            author.open_to_collaborate = edit.open_to_collaborate
        AuditEvent.objects.create(
            actor_id=account_id(user), role="owner", action="edit profile", author=author
        )
    return profile


def owner_statements(author: Author) -> OwnerProfile | None:
    """The owner's statements while the record is claimed, else None (one query)."""
    holder = Claim.objects.filter(author=author, status=Claim.Status.VERIFIED).values("user_id")
    return (
        OwnerProfile.objects.filter(author=author, user_id__in=holder)
        .select_related("institution")
        .first()
    )

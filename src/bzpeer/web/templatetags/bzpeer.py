"""Template helpers for what strangers wrote: every name, title, venue,
affiliation and link of an imported record.

Each such string is escaped, isolated in its own text direction (``<bdi>``,
so an unclosed right-to-left override in one name cannot reverse the text
after it), and shortened when it is long enough to break a page, with the
whole text kept reachable. Links pass ``untrusted.http_url`` or are not
links at all.

The list helpers write their markup in one pass, every value through
``escape`` (the standard library's ``html.escape``, which is what Django's
own ``escape`` calls), and mark the result safe once: as template loops, or
with a ``format_html`` per value, these lists were most of the profile
page's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from bzpeer.catalog.models import Work
from bzpeer.catalog.queries import AuthorLink
from bzpeer.catalog.untrusted import http_url, without_emails

register = template.Library()

# Longest text shown whole, by kind; longer text is cut and kept reachable.
NAME_LIMIT = 120
TITLE_LIMIT = 400
LINE_LIMIT = 200


def _clip(text: str, limit: int) -> str:
    return text[: limit - 1].rstrip() + "…"


def _bdi(text: str, limit: int) -> str:
    """One stranger-provided string as isolated, escaped inline markup; a
    long one shortened, with the whole of it in the tooltip."""
    if len(text) <= limit:
        return f"<bdi>{escape(text)}</bdi>"
    return f'<bdi title="{escape(text[:2000])}">{escape(_clip(text, limit))}</bdi>'


@register.filter
def bdi(text: object, limit: int = LINE_LIMIT) -> SafeString:
    """``{{ value|bdi }}``: escaped, direction-isolated, shortened past ``limit``."""
    return mark_safe(_bdi("" if text is None else str(text), limit))


@register.filter
def whole(text: object, limit: int = TITLE_LIMIT) -> SafeString:
    """A page's main text (a title, a name, an abstract) in its own direction:
    whole when short; else its beginning, and the rest behind a
    "show all" disclosure so nothing is lost and nothing runs off the page."""
    value = "" if text is None else str(text)
    if len(value) <= limit:
        return mark_safe(f"<bdi>{escape(value)}</bdi>")
    return mark_safe(
        f"<bdi>{escape(_clip(value, limit))}</bdi>"
        f'<details class="whole"><summary>Show all {len(value):,} characters</summary>'
        f'<span class="full" dir="auto">{escape(value)}</span></details>'
    )


@register.filter
def safe_href(url: object) -> str:
    """The URL when it may be a link (absolute http or https), else ''."""
    return http_url(None if url is None else str(url))


@register.filter
def site_href(url: object) -> str:
    """A path on this site ("/researchers/..."), or an absolute http(s) URL; else ''."""
    text = "" if url is None else str(url)
    on_site = text.startswith("/") and not text.startswith(("//", "/\\"))
    if on_site and text.isprintable() and " " not in text:
        return text
    return http_url(text)


@register.filter
def no_email(text: object) -> str:
    """Record text with any e-mail address taken out."""
    return without_emails(None if text is None else str(text))


@register.filter
def pieces(parts: Sequence[tuple[str, bool]], limit: int = LINE_LIMIT) -> SafeString:
    """Text built of our words and a record's: each record piece isolated."""
    return mark_safe(
        "".join(_bdi(text, limit) if from_record else escape(text) for text, from_record in parts)
    )


def _author_links(people: Sequence[AuthorLink], current_id: int | None) -> str:
    parts = []
    for person in people:
        name = _bdi(person.name, NAME_LIMIT)
        if current_id is not None and person.author_id == current_id:
            parts.append(f"<b>{name}</b>")
        elif person.url:
            parts.append(f'<a href="{escape(person.url)}">{name}</a>')
        else:
            parts.append(name)
    text = ", ".join(parts)
    if people and all(person.role == "editor" for person in people):
        text += f" ({'eds.' if len(people) > 1 else 'ed.'})"
    return text


@register.filter
def author_links(people: Sequence[AuthorLink], current_id: int | None = None) -> SafeString:
    """An author list: co-authors linked to their profiles, the profile's own name bold."""
    return mark_safe(_author_links(people, current_id))


@register.filter
def work_items(
    rows: Sequence[tuple[Work, Sequence[AuthorLink]]], current_id: int | None = None
) -> SafeString:
    """A list of works (a profile's, an institution's, a venue's), one
    ``<article>`` each: type, year, venue (linked to its page), title linked
    to the work, authors (``author_links``, ``current_id``'s name bold) and
    the abstract."""
    items = []
    for work, people in rows:
        venue = _bdi(work.venue_name, LINE_LIMIT) if work.venue_name else ""
        if venue and work.venue_id is not None:  # the venue's page: no join, the id is here
            venue = f'<a href="/sources/{work.venue_id}">{venue}</a>'
        venue = f' <span class="venue">{venue}</span>' if venue else ""
        also = ' <span class="muted">· also on arXiv</span>' if work.also_preprint else ""
        abstract = (
            "<details><summary>Abstract</summary>"
            f'<p dir="auto">{escape(without_emails(work.abstract))}</p></details>\n'
            if work.abstract
            else ""
        )
        items.append(
            '<article class="work">\n'
            f'<p class="meta"><span class="type">{escape(str(work.get_type_display()))}</span> '
            f'<span class="year">{work.year or "n.d."}</span>{venue}{also}</p>\n'
            f'<h3><a href="/works/{work.pk}">{_bdi(work.title, TITLE_LIMIT)}</a></h3>\n'
            f'<p class="authors">{_author_links(people, current_id)}</p>\n'
            f"{abstract}</article>\n"
        )
    return mark_safe("".join(items))

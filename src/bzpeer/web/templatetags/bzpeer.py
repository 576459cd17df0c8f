"""Template helpers for lists that pages render many times.

They write their markup in one pass, every value through ``escape`` (the
standard library's ``html.escape``, which is what Django's own ``escape``
calls), and mark the result safe once: as template loops, or with a
``format_html`` per value, these lists were most of the profile page's time.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from bzpeer.catalog.models import Work
from bzpeer.catalog.queries import AuthorLink

register = template.Library()


def _author_links(people: Sequence[AuthorLink], current_id: int | None) -> str:
    parts = []
    for person in people:
        name = escape(person.name)
        if current_id is not None and person.author_id == current_id:
            parts.append(f"<b>{name}</b>")
        elif person.url:
            parts.append(f'<a href="{escape(person.url)}">{name}</a>')
        else:
            parts.append(name)
    return ", ".join(parts)


@register.filter
def author_links(people: Sequence[AuthorLink], current_id: int | None = None) -> SafeString:
    """An author list: co-authors linked to their profiles, the profile's own name bold."""
    return mark_safe(_author_links(people, current_id))


@register.filter
def work_items(rows: Sequence[tuple[Work, Sequence[AuthorLink]]], current_id: int) -> SafeString:
    """A profile's list of works, one ``<article>`` each: type, year, venue,
    title linked to the work, authors (``author_links``) and the abstract."""
    items = []
    for work, people in rows:
        venue = f' <span class="venue">{escape(work.venue_name)}</span>' if work.venue_name else ""
        also = ' <span class="muted">· also on arXiv</span>' if work.also_preprint else ""
        abstract = (
            f"<details><summary>Abstract</summary><p>{escape(work.abstract)}</p></details>\n"
            if work.abstract
            else ""
        )
        items.append(
            '<article class="work">\n'
            f'<p class="meta"><span class="type">{escape(str(work.get_type_display()))}</span> '
            f'<span class="year">{work.year or "n.d."}</span>{venue}{also}</p>\n'
            f'<h3><a href="/works/{work.pk}">{escape(work.title)}</a></h3>\n'
            f'<p class="authors">{_author_links(people, current_id)}</p>\n'
            f"{abstract}</article>\n"
        )
    return mark_safe("".join(items))

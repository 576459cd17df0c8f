"""Template helpers for lists that pages render many times."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from bzpeer.catalog.queries import AuthorLink

register = template.Library()


@register.filter
def author_links(people: Sequence[AuthorLink], current_id: int | None = None) -> SafeString:
    """An author list: co-authors linked to their profiles, the profile's own name bold.

    Built in one pass with escaping, rather than a template loop per name.
    """
    parts = []
    for person in people:
        if current_id is not None and person.author_id == current_id:
            parts.append(format_html("<b>{}</b>", person.name))
        elif person.url:
            parts.append(format_html('<a href="{}">{}</a>', person.url, person.name))
        else:
            parts.append(format_html("{}", person.name))
    return format_html_join(", ", "{}", ((p,) for p in parts))

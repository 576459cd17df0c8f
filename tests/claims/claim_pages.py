"""What the claim tests read off a profile page."""

from __future__ import annotations

import re

from django.test import Client

from bzpeer.catalog.models import Author


def snapshot_on_page(client: Client, author: Author) -> tuple[str, str]:
    """The verification level and claim state the profile's trust snapshot shows."""
    html = client.get(f"/researchers/{author.slug}").content.decode()
    level = re.search(r'<span class="label">Verification</span><b>(L\d)</b>', html)
    state = re.search(r'<span class="label">Claim</span><b>([^<]+)</b>', html)
    assert level and state
    return level.group(1), state.group(1)

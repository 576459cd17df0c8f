"""The records the claim tests share. People, ``client_for``, ``unc_link`` and
the reference record come from tests/conftest.py."""

from __future__ import annotations

import pytest

from bzpeer.catalog.models import Author


@pytest.fixture
def author(reference_author) -> Author:
    """The record claimed, in these tests: the reference record."""
    return reference_author


@pytest.fixture
def other_author(reference_author) -> Author:
    """The record with the most works after the reference record."""
    return (
        Author.objects.filter(merged_into=None)
        .exclude(pk=reference_author.pk)
        .order_by("-works_count", "id")
        .first()
    )

"""``/W12``, ``/A12``, ``/I12``, ``/T12``, ``/S12``: the API gives records
ids of this form (as OpenAlex's ``https://openalex.org/W1``), and each
redirects to the record's page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from bzpeer.catalog.models import Author, Institution, Topic, Venue, Work
from bzpeer.resolve.corrections import survivor_of


def work(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("work", args=[get_object_or_404(Work, pk=pk).pk]))


def author(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    record = get_object_or_404(Author, pk=pk)
    if record.merged_into_id is not None:
        record = survivor_of(record)
    # a taken-down record's page answers 410 itself
    return HttpResponseRedirect(reverse("profile", args=[record.slug]))


def topic(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("topic", args=[get_object_or_404(Topic, pk=pk).pk]))


def institution(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    place = get_object_or_404(Institution, pk=pk)
    return HttpResponseRedirect(reverse("institution", args=[place.pk]))


def source(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("source", args=[get_object_or_404(Venue, pk=pk).pk]))

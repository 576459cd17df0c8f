"""Pages: home/search, researcher profile, work. Each view parses, queries, renders."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from bzpeer.catalog import queries
from bzpeer.catalog.collaboration import CLOSE_MIN_SHARED, CLOSE_MIN_STRENGTH, HALF_LIFE_YEARS
from bzpeer.catalog.models import Author, Institution, Topic, Work, WorkType
from bzpeer.claims.fixes import actor_label, correction_log
from bzpeer.claims.owner import owner_statements
from bzpeer.claims.services import is_moderator, profile_claim_state
from bzpeer.claims.suppression import in_force, suppressed_ids
from bzpeer.exports import views as exports
from bzpeer.graph import slice as graph
from bzpeer.resolve.corrections import survivor_of
from bzpeer.social import invitations
from bzpeer.social.views import button_context
from bzpeer.trust.facts import current as current_trust
from bzpeer.trust.score import FOLLOWER_CAP, UNCLAIMED_CEILING, tier_ranges
from bzpeer.web import charts
from bzpeer.web.params import small_int
from bzpeer.web.search import search_page

# The rules the profile explains, read from the code that applies them.
RULES = {
    "tiers": tier_ranges(),
    "follower_cap": FOLLOWER_CAP,
    "unclaimed_ceiling": UNCLAIMED_CEILING,
    "close_shared": CLOSE_MIN_SHARED,
    "close_strength": CLOSE_MIN_STRENGTH,
    "half_life": int(HALF_LIFE_YEARS),
}

PAGE_SIZE = 20


def home(request: HttpRequest) -> HttpResponse:
    if request.GET.get("q", "").strip():  # the search box of every page, without JavaScript
        return search_page(request)
    context: dict[str, object] = {
        "authors": list(
            Author.objects.filter(merged_into=None)
            .exclude(pk__in=suppressed_ids())
            .order_by("-works_count", "id")[:12]
        ),
        "counts": {"works": Work.objects.count(), "authors": Author.objects.count()},
    }
    return render(request, "web/home.html", context)


def profile(request: HttpRequest, slug: str) -> HttpResponse:
    # whether the record was taken down, in the same query
    taken_down = Exists(in_force().filter(author_id=OuterRef("pk")))
    author = get_object_or_404(Author.objects.annotate(taken_down=taken_down), slug=slug)
    if author.merged_into_id is not None:  # merged away: the record lives on elsewhere
        return redirect("profile", slug=survivor_of(author).slug, permanent=True)
    if author.taken_down:  # type: ignore[attr-defined]
        return gone(request)
    overview = queries.author_overview(author)
    trust = current_trust(author, overview)
    year = small_int(request.GET.get("year"))
    work_type = request.GET.get("type") or None
    if work_type not in WorkType.values:
        work_type = None
    works = queries.filter_works(queries.author_works(author), year, work_type)
    # The list shows the work's own venue_name: no join to the venue table.
    paginator = Paginator(works.order_by("-year", "-id"), PAGE_SIZE)
    # The facet counts already know how many works match: spare the COUNT query.
    paginator.__dict__["count"] = overview.count(year, work_type)
    # page 0, a word or nothing is the first page; past the end, the last
    page = paginator.get_page(small_int(request.GET.get("page")) or 1)
    lists = queries.author_lists([w.pk for w in page.object_list])
    rows = [(w, lists.get(w.pk, [])) for w in page.object_list]
    peak = max((n for _, n in overview.works_by_year), default=0)
    claim_state = profile_claim_state(request.user, author)
    follow = button_context(request.user, author, overview.followers)
    talk, talk_why = invitations.collaboration_state(
        request.user,
        author,
        claimed=claim_state in ("mine", "other") or trust.claim_state == "claimed",
    )
    statements = owner_statements(author)
    return render(
        request,
        "web/profile.html",
        {
            **exports.profile_context(request, overview, statements, year, work_type),
            "author": author,
            "o": overview,
            "trust": trust,
            "claim": claim_state,
            "follow": follow,
            "talk": talk,
            "talk_why": talk_why,
            "statements": statements,
            "can_fix": claim_state == "mine" or is_moderator(request.user),
            "log": [(c, actor_label(c.actor)) for c in correction_log(author)],
            "done": request.GET.get("done", "")[:20],
            "rules": RULES,
            "page": page,
            "rows": rows,
            "year": year,
            "type": work_type,
            "types": [(t, WorkType(t).label) for t in overview.types],
            "years": sorted({y for y, _ in overview.works_by_year}, reverse=True),
            "chart": charts.works_per_year(overview.works_by_year, peak),
        },
    )


def work(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Work.objects.select_related("venue"), pk=pk)
    versions = list(item.versions.select_related("venue", "source_record").order_by("-rank", "id"))
    identifiers = list(item.identifiers.order_by("scheme", "value"))
    authors = queries.author_lists([item.pk]).get(item.pk, [])
    topics = list(item.work_topics.select_related("topic").order_by("-score")[:10])
    cited = queries.references(item)
    return render(
        request,
        "web/work.html",
        {
            "work": item,
            "versions": versions,
            "identifiers": identifiers,
            "references": cited,
            "authors": authors,
            "topics": topics,
            **exports.work_context(request, item, authors, identifiers),
        },
    )


def topic(request: HttpRequest, pk: int) -> HttpResponse:
    page = queries.topic_page(get_object_or_404(Topic.objects.select_related("parent"), pk=pk))
    lists = queries.author_lists([w.pk for w in page.recent])
    return render(
        request,
        "web/topic.html",
        {
            "p": page,
            "rows": [(w, lists.get(w.pk, [])) for w in page.recent],
            "follow": button_context(request.user, page.topic),
        },
    )


EXPLORER_LIMIT = 300


def explore(request: HttpRequest) -> HttpResponse:
    """The graph explorer; without JavaScript, the focus's nodes as a list."""
    focus = request.GET.get("focus", "")[:40]
    limit = min(small_int(request.GET.get("limit")) or EXPLORER_LIMIT, graph.MAX_LIMIT)
    depth = 2 if request.GET.get("depth") == "2" else 1
    context: dict[str, object] = {"focus": focus, "limit": limit, "depth": depth}
    try:
        kind, pk = graph.parse_focus(focus)
    except graph.FocusError as exc:
        context["error"] = (
            str(exc) if focus else "Open the explorer on a focus (every profile links to it)."
        )
        return render(request, "web/explore.html", context, status=400)
    try:
        found = graph.build(kind, pk, limit=limit, depth=depth, exclude=set(suppressed_ids()))
    except graph.FocusError as exc:
        context["error"] = str(exc)
        return render(request, "web/explore.html", context, status=404)
    groups = [(t, [n for n in found.nodes[1:] if n.type == t]) for t in graph.NODE_TYPES]
    if kind == "institution":
        place = Institution.objects.filter(pk=pk).first()
        if place is not None:
            context["follow"] = button_context(request.user, place)
    context.update(
        {
            "slice": found,
            "groups": [(t, nodes) for t, nodes in groups if nodes],
            "types": graph.NODE_TYPES,
        }
    )
    return render(request, "web/explore.html", context)


def gone(request: HttpRequest) -> HttpResponse:
    """A record taken down at its subject's request."""
    return render(request, "web/gone.html", status=410)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)

"""What the API answers, as the OpenAPI schema declares it.

The serialisers build plain dicts and the views answer them as they are
(``v1.ok``): Ninja validating every answer against these models took 150 ms
of a 250 ms page of 200 works. The tests hold the answers to the schema
instead (tests/test_schema.py); ``extra="forbid"`` puts
``additionalProperties: false`` in it, so a field a serialiser adds without
adding it here fails them. Keys OpenAlex has keep its names and shapes; what
is ours sits under ``x_bzpeer`` (and an author's ``trust``)."""

from __future__ import annotations

from typing import Literal

from bzpeer.catalog.models import WorkType

from .schemas import Out


class GroupOut(Out):
    key: str
    key_display_name: str
    count: int


class MetaOut(Out):
    count: int
    per_page: int
    page: int | None
    next_cursor: str | None
    groups_count: int | None


class DehydratedInstitutionOut(Out):
    id: str | None
    display_name: str
    ror: str | None
    country_code: str | None
    type: str | None


class DehydratedTopicOut(Out):
    id: str
    display_name: str


class TopicRefOut(DehydratedTopicOut):
    subfield: DehydratedTopicOut | None
    field: DehydratedTopicOut | None
    domain: DehydratedTopicOut | None


class WorkTopicOut(TopicRefOut):
    score: float


class AuthorTopicOut(TopicRefOut):
    count: int


class YearCountOut(Out):
    year: int
    works_count: int


class PageLinkOut(Out):
    """Ours: the record's page on this site."""

    page_url: str


# -- authors -----------------------------------------------------------------------


class AuthorIdsOut(Out):
    bzpeer: str
    openalex: str | None
    orcid: str | None


class AffiliationOut(Out):
    institution: DehydratedInstitutionOut
    years: list[int]


class SummaryStatsOut(Out):
    followers: int
    close_collaborators: int


class TrustComponentOut(Out):
    key: str
    name: str
    points: float
    max: int
    evidence: list[str]


class TrustOut(Out):
    score: int
    tier: str
    verification_level: str
    claim_state: str
    formula_version: str
    computed_at: str
    components: list[TrustComponentOut]


class AuthorExtraOut(Out):
    page_url: str
    graph_api_url: str
    open_to_collaborate: bool


class AuthorSummaryOut(Out):
    """An author as lists show it."""

    id: str
    display_name: str
    display_name_alternatives: list[str]
    orcid: str | None
    works_count: int
    ids: AuthorIdsOut
    works_api_url: str
    profile_url: str
    relevance_score: float | None = None
    x_bzpeer: AuthorExtraOut


class AuthorOut(AuthorSummaryOut):
    """One author record in full."""

    last_known_institutions: list[DehydratedInstitutionOut]
    affiliations: list[AffiliationOut]
    topics: list[AuthorTopicOut]
    counts_by_year: list[YearCountOut]
    summary_stats: SummaryStatsOut
    trust: TrustOut


class AuthorListOut(Out):
    meta: MetaOut
    results: list[AuthorSummaryOut]
    group_by: list[GroupOut]


# -- works ---------------------------------------------------------------------------


class WorkIdsOut(Out):
    bzpeer: str
    openalex: str | None
    doi: str | None
    arxiv: str | None
    pmid: str | None


class DehydratedSourceOut(Out):
    id: str | None
    display_name: str
    type: str | None
    issn_l: str | None


class LocationOut(Out):
    source: DehydratedSourceOut | None


class AuthorshipAuthorOut(Out):
    id: str | None
    display_name: str
    orcid: str | None


class AuthorshipOut(Out):
    author_position: Literal["first", "middle", "last"]
    author: AuthorshipAuthorOut
    institutions: list[DehydratedInstitutionOut]
    raw_author_name: str
    raw_affiliation_strings: list[str]


class WorkOut(Out):
    id: str
    doi: str | None
    title: str
    display_name: str
    publication_year: int | None
    publication_date: str | None
    type: WorkType
    ids: WorkIdsOut
    primary_location: LocationOut
    authorships: list[AuthorshipOut]
    topics: list[WorkTopicOut]
    primary_topic: WorkTopicOut | None
    abstract: str | None
    abstract_inverted_index: dict[str, list[int]] | None
    cited_by_count: int
    locations_count: int
    also_preprint: bool
    relevance_score: float | None = None
    x_bzpeer: PageLinkOut


class WorkListOut(Out):
    meta: MetaOut
    results: list[WorkOut]
    group_by: list[GroupOut]


# -- institutions, topics, sources -------------------------------------------------


class InstitutionIdsOut(Out):
    bzpeer: str
    openalex: str | None
    ror: str | None


class GeoOut(Out):
    city: str | None
    country_code: str | None


class InstitutionOut(Out):
    id: str
    display_name: str
    ror: str | None
    country_code: str | None
    type: str | None
    ids: InstitutionIdsOut
    display_name_alternatives: list[str]
    display_name_acronyms: list[str]
    geo: GeoOut
    works_count: int
    works_api_url: str
    relevance_score: float | None = None
    counts_by_year: list[YearCountOut] | None = None
    x_bzpeer: PageLinkOut


class TopicIdsOut(Out):
    bzpeer: str
    openalex: str | None


class TopicExtraOut(Out):
    page_url: str
    scheme: str
    level: str
    parent: DehydratedTopicOut | None


class TopicOut(Out):
    id: str
    display_name: str
    ids: TopicIdsOut
    subfield: DehydratedTopicOut | None
    field: DehydratedTopicOut | None
    domain: DehydratedTopicOut | None
    works_count: int
    works_api_url: str
    relevance_score: float | None = None
    counts_by_year: list[YearCountOut] | None = None
    x_bzpeer: TopicExtraOut


class SourceIdsOut(Out):
    bzpeer: str
    openalex: str | None
    issn_l: str | None


class SourceOut(Out):
    id: str
    display_name: str
    type: str | None
    issn_l: str | None
    issn: list[str] | None
    ids: SourceIdsOut
    alternate_titles: list[str]
    works_count: int
    works_api_url: str
    relevance_score: float | None = None
    counts_by_year: list[YearCountOut] | None = None
    x_bzpeer: PageLinkOut


class InstitutionListOut(Out):
    meta: MetaOut
    results: list[InstitutionOut]
    group_by: list[GroupOut]


class TopicListOut(Out):
    meta: MetaOut
    results: list[TopicOut]
    group_by: list[GroupOut]


class SourceListOut(Out):
    meta: MetaOut
    results: list[SourceOut]
    group_by: list[GroupOut]


class AutocompleteResultOut(Out):
    id: str
    short_id: str
    display_name: str
    hint: str | None
    works_count: int | None
    cited_by_count: int | None
    entity_type: Literal["work", "author", "institution", "topic", "source"]
    external_id: str | None
    filter_key: str


class AutocompleteMetaOut(Out):
    count: int
    per_page: int
    page: int


class AutocompleteOut(Out):
    meta: AutocompleteMetaOut
    results: list[AutocompleteResultOut]

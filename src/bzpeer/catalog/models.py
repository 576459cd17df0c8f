"""The catalog: what sources said (SourceRecord, WorkVersion, AuthorshipMention)
and what we concluded from it (Work, Author, Venue, Institution, Topic)."""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce


class WorkType(models.TextChoices):
    JOURNAL_ARTICLE = "journal-article", "journal article"
    CONFERENCE_PAPER = "conference-paper", "conference paper"
    BOOK = "book", "book"
    BOOK_CHAPTER = "book-chapter", "book chapter"
    THESIS = "thesis", "thesis"
    REPORT = "report", "report"
    DATASET = "dataset", "dataset"
    PREPRINT = "preprint", "preprint"
    OTHER = "other", "other"


# Types of a published version (beyond a preprint): a work's version ranks and
# a record's trust count them.
PUBLISHED = frozenset(
    {
        WorkType.JOURNAL_ARTICLE,
        WorkType.CONFERENCE_PAPER,
        WorkType.BOOK,
        WorkType.BOOK_CHAPTER,
        WorkType.THESIS,
        WorkType.REPORT,
        WorkType.DATASET,
    }
)


class SourceRecord(models.Model):
    """One record as a source gave it: raw text kept so it can be re-parsed."""

    source = models.CharField(max_length=16)
    external_id = models.CharField(max_length=255)
    payload_hash = models.CharField(max_length=32)
    payload = models.TextField()
    locator = models.CharField(max_length=500, blank=True, help_text="file and position")
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="uniq_source_record")
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"


class Quarantine(models.Model):
    """A record that could not be imported, with why, so nothing is lost."""

    source = models.CharField(max_length=16)
    locator = models.CharField(max_length=500)
    reason = models.TextField()
    payload = models.TextField()
    options = models.JSONField(default=dict, blank=True)
    seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "locator"], name="uniq_quarantine_locator")
        ]
        indexes = [models.Index(fields=["resolved_at"])]

    def __str__(self) -> str:
        return f"{self.source} {self.locator}: {self.reason[:60]}"


class Venue(models.Model):
    """A journal, conference or repository; ``key`` is its normalised name."""

    key = models.CharField(max_length=255, unique=True)
    name = models.CharField(max_length=500)
    kind = models.CharField(max_length=16, default="other")
    openalex_id = models.CharField(max_length=20, blank=True, db_index=True)
    issn_l = models.CharField(max_length=9, blank=True)
    aliases = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name


class Institution(models.Model):
    """An organisation; ROR records give names in every form and relationships."""

    ror = models.CharField(max_length=9, null=True, blank=True, unique=True)
    openalex_id = models.CharField(max_length=20, null=True, blank=True, unique=True)
    name = models.CharField(max_length=500)
    country = models.CharField(max_length=2, blank=True)
    kind = models.CharField(max_length=32, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    acronyms = models.JSONField(default=list, blank=True)
    labels = models.JSONField(default=list, blank=True, help_text="names in other languages")
    types = models.JSONField(default=list, blank=True)
    relationships = models.JSONField(
        default=list, blank=True, help_text="[{type, ror, label}] as ROR states them"
    )
    status = models.CharField(max_length=16, blank=True)
    established = models.IntegerField(null=True, blank=True)
    city = models.CharField(max_length=200, blank=True)
    links = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """A node of a topic taxonomy (OpenAlex domain/field/subfield/topic)."""

    scheme = models.CharField(max_length=16, default="openalex")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    level = models.CharField(max_length=16, default="topic")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "external_id"], name="uniq_topic")]

    def __str__(self) -> str:
        return self.name


class Work(models.Model):
    """The canonical work: its fields follow its best version."""

    title = models.TextField()
    title_key = models.CharField(max_length=255)
    # The first and last letters of the title's words: versions whose titles
    # differ a little (a typo, a subtitle, a remark) share one or the other.
    title_head = models.CharField(max_length=16, db_index=True, default="")
    title_tail = models.CharField(max_length=16, db_index=True, default="")
    abstract = models.TextField(blank=True)
    year = models.IntegerField(null=True)  # the (-year, id) index serves year lookups
    date = models.DateField(null=True)
    type = models.CharField(max_length=24, choices=WorkType.choices, default=WorkType.OTHER)
    venue = models.ForeignKey(Venue, null=True, on_delete=models.SET_NULL, related_name="works")
    venue_name = models.CharField(max_length=500, blank=True)
    also_preprint = models.BooleanField(default=False)
    authors_text = models.TextField(blank=True, help_text="display names in order")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["-year", "id"]),
            # newest first, undated last: what a feed reads backwards
            # (``social.feed``), so it stops after a page instead of sorting
            models.Index(Coalesce("year", Value(0)), "id", name="work_newest"),
            # the API's commonest filters, publication_year and type, and
            # group_by=type within years, answered from the index alone
            # (docs/performance.md: 2 s to 30 ms on a million works)
            models.Index(fields=["year", "type"], name="work_year_type"),
        ]

    def __str__(self) -> str:
        return self.title


class WorkVersion(models.Model):
    """One source's record of a work: its title, type, venue and author list."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="versions")
    source_record = models.OneToOneField(
        SourceRecord, on_delete=models.CASCADE, related_name="version"
    )
    source = models.CharField(max_length=16)
    title = models.TextField()
    abstract = models.TextField(blank=True)
    year = models.IntegerField(null=True)
    date = models.DateField(null=True)
    type = models.CharField(max_length=24, choices=WorkType.choices, default=WorkType.OTHER)
    venue = models.ForeignKey(Venue, null=True, on_delete=models.SET_NULL)
    venue_raw = models.CharField(max_length=500, blank=True)
    journal_ref = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    rank = models.IntegerField(default=0, help_text="higher is a better version to show")
    link_evidence = models.CharField(
        max_length=300, blank=True, default="", help_text="why this record joined its work"
    )

    def __str__(self) -> str:
        return f"{self.source}: {self.title[:60]}"


class WorkIdentifier(models.Model):
    scheme = models.CharField(max_length=16)
    value = models.CharField(max_length=255)
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="identifiers")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="uniq_work_identifier")
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class WorkReference(models.Model):
    """A work a version cites, by identifier (``doi``, ``openalex``)."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="references")
    scheme = models.CharField(max_length=16)
    value = models.CharField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["work", "scheme", "value"], name="uniq_reference")
        ]
        indexes = [models.Index(fields=["scheme", "value"])]


class WorkTopic(models.Model):
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="work_topics", db_index=False
    )  # the unique (work, topic) constraint indexes it
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE)
    score = models.FloatField(default=1.0)
    # "source": a record said so; "model": inferred by enrich.assign (an OpenAlex field or
    # subfield from the arXiv category, the venue name, or title and abstract).
    origin = models.CharField(max_length=8, default="source")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["work", "topic"], name="uniq_work_topic")]


class Author(models.Model):
    """The public author record, built by resolution. Nobody owns it."""

    display_name = models.TextField()  # as long as a source wrote it: never cut
    name_key = models.CharField(max_length=255, db_index=True, help_text="surname_initial")
    slug = models.SlugField(max_length=100, unique=True)
    orcid = models.CharField(max_length=19, null=True, blank=True, unique=True)
    openalex_id = models.CharField(max_length=20, null=True, blank=True, unique=True)
    name_variants = models.JSONField(default=list, blank=True)
    works_count = models.IntegerField(default=0)
    open_to_collaborate = models.BooleanField(default=False)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [models.Index(fields=["-works_count"])]

    def __str__(self) -> str:
        return self.display_name


class AuthorshipMention(models.Model):
    """An author as one version names them. Resolution sets ``author``."""

    version = models.ForeignKey(
        WorkVersion,
        on_delete=models.CASCADE,
        related_name="mentions",
        db_index=False,  # served by the (work, version) index
    )
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    position = models.IntegerField(null=True)
    raw_name = models.TextField()  # as the source wrote it, whole
    name_key = models.CharField(max_length=255, db_index=True)
    raw_affiliation = models.TextField(blank=True)
    orcid = models.CharField(max_length=19, blank=True)
    person_key = models.CharField(
        max_length=255, blank=True, help_text="source person id: openalex:A..., owner:..."
    )
    author = models.ForeignKey(
        Author,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentions",
        db_index=False,  # the (author, work) index below serves author lookups
    )
    confidence = models.FloatField(default=0.0)
    # What the person did for this version: "author", or "editor" for an edited
    # volume that names only its editors (a dblp proceedings or report). The
    # database default lets an upgrade add the column in place, without
    # copying a large catalog's mentions table.
    role = models.CharField(max_length=16, default="author", db_default="author")

    class Meta:
        indexes = [
            models.Index(fields=["work", "version"]),
            models.Index(fields=["author", "work"]),
            models.Index(
                fields=["person_key"],
                condition=~models.Q(person_key=""),
                name="mention_person_key",
            ),
        ]

    def __str__(self) -> str:
        return self.raw_name


class Affiliation(models.Model):
    """An author's affiliation with an institution, as a source stated it."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="affiliations")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE)
    start_year = models.IntegerField(null=True)
    end_year = models.IntegerField(null=True)
    works_count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["author", "institution"], name="uniq_affiliation")
        ]


class MentionInstitution(models.Model):
    """Institutions a source attached to one mention (OpenAlex authorships)."""

    mention = models.ForeignKey(
        AuthorshipMention, on_delete=models.CASCADE, related_name="institutions"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE)
    # 1.0 when a source linked them (OpenAlex); the matcher's confidence when
    # it read the institution from the raw affiliation string.
    confidence = models.FloatField(default=1.0)


class AuthorCorrection(models.Model):
    """A person's correction of author resolution, kept as a constraint.

    Every re-run of resolution obeys the active corrections; undoing one sets
    ``undone_at`` and puts the authorships back. Authorships are named by
    ``[work id, name key]``, which outlive re-imports (a changed record's
    mentions are written anew, with new ids, on the same work).
    """

    class Kind(models.TextChoices):
        MERGE = "merge", "merge records"  # must-link: all of author -> target
        MOVE = "move", "move authorships"  # must-link: these -> target (a split if new)
        REMOVE = "remove", "remove authorships"  # cannot-link: these never on author

    kind = models.CharField(max_length=8, choices=Kind.choices)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="corrections")
    target = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    authorships = models.JSONField(default=list, help_text="[[work id, name key], ...]")
    evidence = models.JSONField(default=dict, blank=True, help_text="what the change moved")
    reason = models.TextField()
    actor = models.CharField(max_length=150, help_text="who made the correction")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.CharField(max_length=150, blank=True)

    class Meta:
        indexes = [models.Index(fields=["undone_at", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class CatalogRevision(models.Model):
    """One row: a token that changes whenever a write changes what pages derive
    from works, authorships, topics or affiliations (``catalog.revision``)."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token

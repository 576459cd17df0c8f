"""Venue names: aliases of well-known venues and a normalised key for the rest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

CONFERENCE = "conference"
JOURNAL = "journal"
REPOSITORY = "repository"
OTHER = "other"


@dataclass(frozen=True, slots=True)
class KnownVenue:
    key: str
    name: str
    kind: str
    patterns: tuple[str, ...]


# Patterns are matched against the normalised key of a raw venue string.
KNOWN_VENUES: tuple[KnownVenue, ...] = (
    KnownVenue(
        "neurips",
        "NeurIPS",
        CONFERENCE,
        (r"\bneurips\b", r"\bnips\b", r"advances in neural information processing"),
    ),
    KnownVenue(
        "icml",
        "ICML",
        CONFERENCE,
        (r"\bicml\b", r"international conference on machine learning\b(?! and)"),
    ),
    KnownVenue(
        "iclr", "ICLR", CONFERENCE, (r"\biclr\b", r"conference on learning representations")
    ),
    KnownVenue(
        "cvpr",
        "CVPR",
        CONFERENCE,
        (r"\bcvpr\b", r"conference on computer vision and pattern recognition"),
    ),
    KnownVenue(
        "iccv", "ICCV", CONFERENCE, (r"\biccv\b", r"international conference on computer vision")
    ),
    KnownVenue(
        "eccv", "ECCV", CONFERENCE, (r"\beccv\b", r"european conference on computer vision")
    ),
    KnownVenue("aaai", "AAAI", CONFERENCE, (r"\baaai\b",)),
    KnownVenue(
        "ijcai",
        "IJCAI",
        CONFERENCE,
        (r"\bijcai\b", r"international joint conference on artificial"),
    ),
    KnownVenue("kdd", "KDD", CONFERENCE, (r"\bkdd\b", r"knowledge discovery and data mining")),
    KnownVenue(
        "acl",
        "ACL",
        CONFERENCE,
        (r"^acl\b", r"annual meeting of the association for computational"),
    ),
    KnownVenue(
        "emnlp", "EMNLP", CONFERENCE, (r"\bemnlp\b", r"empirical methods in natural language")
    ),
    KnownVenue(
        "automl", "AutoML Conference", CONFERENCE, (r"conference on automated machine learning",)
    ),
    KnownVenue("dac", "DAC", CONFERENCE, (r"\bdac\b", r"design automation conference")),
    KnownVenue("interspeech", "Interspeech", CONFERENCE, (r"\binterspeech\b",)),
    KnownVenue("icassp", "ICASSP", CONFERENCE, (r"\bicassp\b",)),
    KnownVenue("lod", "LoG", CONFERENCE, (r"learning on graphs conference",)),
    KnownVenue(
        "tpami",
        "IEEE Transactions on Pattern Analysis and Machine Intelligence",
        JOURNAL,
        (r"\btpami\b", r"transactions on pattern analysis and machine intelligence"),
    ),
    KnownVenue(
        "tmlr",
        "Transactions on Machine Learning Research",
        JOURNAL,
        (r"\btmlr\b", r"transactions on machine learning research"),
    ),
    KnownVenue(
        "jmlr",
        "Journal of Machine Learning Research",
        JOURNAL,
        (r"\bjmlr\b", r"^journal of machine learning research"),
    ),
    # Last: "TPAMI 2022; arXiv preprint 2021" names the journal, not arXiv.
    KnownVenue("arxiv", "arXiv", REPOSITORY, (r"^arxiv\b", r"\barxiv preprint\b", r"^corr$")),
)
_COMPILED = tuple((v, tuple(re.compile(p) for p in v.patterns)) for v in KNOWN_VENUES)
_YEARS = re.compile(r"\b(19|20)\d{2}\b")
_NOISE = re.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=65536)
def venue_key(raw: str) -> str:
    """Normalised lookup key: ASCII, lower case, no punctuation, no years."""
    text = unidecode(raw).lower()
    text = _YEARS.sub(" ", text)
    text = _NOISE.sub(" ", text)
    return " ".join(text.split())


@lru_cache(maxsize=65536)
def match_known(raw: str) -> KnownVenue | None:
    """The well-known venue a raw string names (``NIPS 2019`` -> NeurIPS), if any."""
    key = venue_key(raw)
    for venue, patterns in _COMPILED:
        if any(p.search(key) for p in patterns):
            return venue
    return None


def clean_venue_name(raw: str) -> str:
    """Collapse whitespace and trim stray punctuation around a raw venue name."""
    return re.sub(r"\s+", " ", raw).strip(" ,.;")

"""The OpenAlex topic taxonomy's upper levels, and what points into them.

Facts: OpenAlex's 4 domains and 26 fields with their ids (from
ourresearch/openalex-topic-classification, ``v2/changes/{domains,fields}.csv``,
MIT; OpenAlex data CC0), and the subfields the mappings below use. OpenAlex
subfields are the Scopus ASJC subject areas: a subfield's id is its ASJC code
and its field is the code's first two digits (2746 Surgery is in 27 Medicine).

Two kinds of evidence map into the taxonomy without a model:

* an arXiv category, where the mapping is clear (``astro-ph.GA`` ->
  Astronomy and Astrophysics; ``cs.CR`` only to its field, Computer Science,
  because OpenAlex spreads security papers over several subfields), and
* a venue's name, where one of its words names a discipline ("Oman Medical
  Journal" -> Medicine; "International Journal of Cardiology" -> Cardiology
  and Cardiovascular Medicine). A name whose words point to two fields
  ("Medical Physics") says nothing.

A target is a subfield id (four digits) or a field id (two digits).
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

DOMAINS = {1: "Life Sciences", 2: "Social Sciences", 3: "Physical Sciences", 4: "Health Sciences"}

FIELDS = {  # id -> (name, domain id)
    11: ("Agricultural and Biological Sciences", 1),
    12: ("Arts and Humanities", 2),
    13: ("Biochemistry, Genetics and Molecular Biology", 1),
    14: ("Business, Management and Accounting", 2),
    15: ("Chemical Engineering", 3),
    16: ("Chemistry", 3),
    17: ("Computer Science", 3),
    18: ("Decision Sciences", 2),
    19: ("Earth and Planetary Sciences", 3),
    20: ("Economics, Econometrics and Finance", 2),
    21: ("Energy", 3),
    22: ("Engineering", 3),
    23: ("Environmental Science", 3),
    24: ("Immunology and Microbiology", 1),
    25: ("Materials Science", 3),
    26: ("Mathematics", 3),
    27: ("Medicine", 4),
    28: ("Neuroscience", 1),
    29: ("Nursing", 4),
    30: ("Pharmacology, Toxicology and Pharmaceutics", 1),
    31: ("Physics and Astronomy", 3),
    32: ("Psychology", 2),
    33: ("Social Sciences", 2),
    34: ("Veterinary", 4),
    35: ("Dentistry", 4),
    36: ("Health Professions", 4),
}

SUBFIELDS = {
    1105: "Ecology, Evolution, Behavior and Systematics",
    1202: "History",
    1203: "Language and Linguistics",
    1207: "History and Philosophy of Science",
    1208: "Literature and Literary Theory",
    1211: "Philosophy",
    1311: "Genetics",
    1312: "Molecular Biology",
    1606: "Physical and Theoretical Chemistry",
    1702: "Artificial Intelligence",
    1703: "Computational Theory and Mathematics",
    1704: "Computer Graphics and Computer-Aided Design",
    1705: "Computer Networks and Communications",
    1707: "Computer Vision and Pattern Recognition",
    1708: "Hardware and Architecture",
    1709: "Human-Computer Interaction",
    1710: "Information Systems",
    1711: "Signal Processing",
    1712: "Software",
    1902: "Atmospheric Science",
    1908: "Geophysics",
    2002: "Economics and Econometrics",
    2003: "Finance",
    2207: "Control and Systems Engineering",
    2602: "Algebra and Number Theory",
    2603: "Analysis",
    2606: "Control and Optimization",
    2607: "Discrete Mathematics and Combinatorics",
    2608: "Geometry and Topology",
    2609: "Logic",
    2610: "Mathematical Physics",
    2612: "Numerical Analysis",
    2613: "Statistics and Probability",
    2703: "Anesthesiology and Pain Medicine",
    2705: "Cardiology and Cardiovascular Medicine",
    2708: "Dermatology",
    2712: "Endocrinology, Diabetes and Metabolism",
    2713: "Epidemiology",
    2715: "Gastroenterology",
    2720: "Hematology",
    2725: "Infectious Diseases",
    2727: "Nephrology",
    2728: "Neurology",
    2729: "Obstetrics and Gynecology",
    2730: "Oncology",
    2731: "Ophthalmology",
    2732: "Orthopedics and Sports Medicine",
    2735: "Pediatrics, Perinatology and Child Health",
    2738: "Psychiatry and Mental health",
    2739: "Public Health, Environmental and Occupational Health",
    2741: "Radiology, Nuclear Medicine and Imaging",
    2745: "Rheumatology",
    2746: "Surgery",
    2747: "Transplantation",
    2748: "Urology",
    2805: "Cognitive Neuroscience",
    3103: "Astronomy and Astrophysics",
    3104: "Condensed Matter Physics",
    3105: "Instrumentation",
    3106: "Nuclear and High Energy Physics",
    3107: "Atomic and Molecular Physics, and Optics",
    3109: "Statistical and Nonlinear Physics",
}

# arXiv category (or a whole archive) -> target. Categories not listed fall
# back to their archive; an archive not listed has no clear place, nor has a
# category mapped to 0 (Computers and Society, Robotics: OpenAlex puts such
# papers in more than one field).
ARXIV = {
    "astro-ph": 3103,
    "gr-qc": 31,
    "hep-ph": 3106,
    "hep-th": 3106,
    "hep-ex": 3106,
    "hep-lat": 3106,
    "nucl-th": 3106,
    "nucl-ex": 3106,
    "quant-ph": 31,
    "math-ph": 2610,
    "cond-mat": 3104,
    "cond-mat.mtrl-sci": 25,
    "cond-mat.stat-mech": 3109,
    "supr-con": 3104,
    "mtrl-th": 25,
    "nlin": 3109,
    "chao-dyn": 3109,
    "solv-int": 3109,
    "patt-sol": 3109,
    "physics.optics": 3107,
    "physics.atom-ph": 3107,
    "physics.atm-clus": 3107,
    "atom-ph": 3107,
    "physics.ins-det": 3105,
    "physics.ao-ph": 1902,
    "ao-sci": 1902,
    "physics.geo-ph": 1908,
    "physics.chem-ph": 1606,
    "chem-ph": 1606,
    "physics.hist-ph": 1207,
    "physics.acc-ph": 31,
    "acc-phys": 31,
    "physics.plasm-ph": 31,
    "plasm-ph": 31,
    "physics.gen-ph": 31,
    "physics.class-ph": 31,
    "physics.pop-ph": 31,
    "physics.comp-ph": 31,
    "physics.app-ph": 31,
    "math": 26,
    "math.NT": 2602,
    "math.AC": 2602,
    "math.RA": 2602,
    "math.GR": 2602,
    "math.RT": 2602,
    "math.QA": 2602,
    "q-alg": 2602,
    "math.CA": 2603,
    "math.FA": 2603,
    "math.AP": 2603,
    "math.CV": 2603,
    "math.SP": 2603,
    "math.OA": 2603,
    "funct-an": 2603,
    "math.AG": 2608,
    "math.DG": 2608,
    "math.GT": 2608,
    "math.AT": 2608,
    "math.MG": 2608,
    "math.SG": 2608,
    "math.GN": 2608,
    "alg-geom": 2608,
    "dg-ga": 2608,
    "math.CO": 2607,
    "math.LO": 2609,
    "math.MP": 2610,
    "math.NA": 2612,
    "math.OC": 2606,
    "math.PR": 2613,
    "math.ST": 2613,
    "math.IT": 17,
    "stat": 2613,
    "stat.ML": 1702,
    "cs": 17,
    "cs.AI": 1702,
    "cs.LG": 1702,
    "cs.NE": 1702,
    "cs.MA": 1702,
    "cs.CL": 1702,
    "cmp-lg": 1702,
    "cs.CV": 1707,
    "cs.AR": 1708,
    "cs.HC": 1709,
    "cs.NI": 1705,
    "cs.SE": 1712,
    "cs.PL": 1712,
    "cs.GR": 1704,
    "cs.IR": 1710,
    "cs.DB": 1710,
    "cs.DL": 1710,
    "cs.CC": 1703,
    "cs.DS": 1703,
    "cs.FL": 1703,
    "cs.CG": 1703,
    "cs.SY": 2207,
    "cs.CY": 0,
    "cs.RO": 0,
    "eess.SY": 2207,
    "eess.SP": 1711,
    "eess.IV": 1707,
    "eess.AS": 17,
    "cs.SD": 17,
    "q-bio.GN": 1311,
    "q-bio.BM": 1312,
    "q-bio.NC": 2805,
    "q-fin": 2003,
    "econ": 2002,
}

# A venue-name word -> target (word stems: "cardiolog" matches Cardiology
# and cardiological).
VENUE_WORDS = {
    "surg": 2746,
    "cardiol": 2705,
    "cardiovasc": 2705,
    "heart": 2705,
    "cardiac": 2705,
    "angiolog": 2705,
    "oncolog": 2730,
    "cancer": 2730,
    "pediatr": 2735,
    "paediatr": 2735,
    "neurolog": 2728,
    "psychiatr": 2738,
    "radiolog": 2741,
    "anesthes": 2703,
    "anaesthes": 2703,
    "ophthalmol": 2731,
    "dermatol": 2708,
    "gastroenterol": 2715,
    "nephrol": 2727,
    "urolog": 2748,
    "rheumatol": 2745,
    "obstetr": 2729,
    "gynecol": 2729,
    "gynaecol": 2729,
    "epidemiol": 2713,
    "hematol": 2720,
    "haematol": 2720,
    "endocrinol": 2712,
    "diabet": 2712,
    "orthop": 2732,
    "transplant": 2747,
    "infectious": 2725,
    "medical": 27,
    "medicine": 27,
    "clinical": 27,
    "cochrane": 27,
    "lancet": 27,
    "bmj": 27,
    "jama": 27,
    "nursing": 29,
    "dental": 35,
    "dentistry": 35,
    "veterinary": 34,
    "pharmacol": 30,
    "pharmaceut": 30,
    "neurosci": 28,
    "immunol": 24,
    "microbiol": 24,
    "genom": 1311,
    "astronom": 3103,
    "astrophys": 3103,
    "physics": 31,
    "chemistry": 16,
    "chemical": 16,
    "mathematic": 26,
    "computer": 17,
    "computing": 17,
    "acm": 17,  # the Association for Computing Machinery
    "neurips": 1702,  # conferences known by their acronyms
    "nips": 1702,
    "icml": 1702,
    "iclr": 1702,
    "cvpr": 1707,
    "iccv": 1707,
    "eccv": 1707,
    "engineering": 22,
    "linguistic": 1203,
    "philolog": 1203,
    "philosophy": 1211,  # not "Philosophical Magazine", a physics journal
    "filosof": 1211,
    "literat": 1208,
    "medieval": 1202,
    "econometric": 2002,
    "economic": 20,
    "psycholog": 32,
}
_WORD = re.compile(r"[a-z]+")
_STEMS = sorted(VENUE_WORDS, key=len, reverse=True)


def field_of(target: int) -> int:
    """The field of a target: 2746 -> 27, 27 -> 27."""
    return target // 100 if target >= 100 else target


def arxiv_target(code: str) -> int | None:
    """Where an arXiv category sits in OpenAlex's taxonomy, when that is clear."""
    target = ARXIV.get(code)
    if target is None:
        target = ARXIV.get(code.split(".", 1)[0])
    return target or None


@lru_cache(maxsize=65536)  # a catalog's venue names repeat across its works
def venue_target(venue: str) -> int | None:
    """What a venue's name says of its works' discipline: the most specific
    target its words agree on; None when they say nothing or disagree."""
    found: set[int] = set()
    for word in _WORD.findall(unidecode(venue).lower()):
        for stem in _STEMS:
            if word.startswith(stem):
                found.add(VENUE_WORDS[stem])
                break
    if not found or len({field_of(t) for t in found}) > 1:
        return None
    specific = {t for t in found if t >= 100}
    if len(specific) > 1:
        return field_of(specific.pop())
    return specific.pop() if specific else found.pop()


def target_name(target: int) -> str:
    return SUBFIELDS[target] if target >= 100 else FIELDS[target][0]

"""arXiv category names (facts from arXiv's category taxonomy), by archive group."""

from __future__ import annotations

GROUPS = {
    "cs": "Computer Science",
    "math": "Mathematics",
    "stat": "Statistics",
    "eess": "Electrical Engineering and Systems Science",
    "econ": "Economics",
    "q-bio": "Quantitative Biology",
    "q-fin": "Quantitative Finance",
    "astro-ph": "Astrophysics",
    "cond-mat": "Condensed Matter",
    "physics": "Physics",
    "hep-ph": "High Energy Physics - Phenomenology",
    "hep-th": "High Energy Physics - Theory",
    "hep-ex": "High Energy Physics - Experiment",
    "hep-lat": "High Energy Physics - Lattice",
    "gr-qc": "General Relativity and Quantum Cosmology",
    "quant-ph": "Quantum Physics",
    "math-ph": "Mathematical Physics",
    "nucl-th": "Nuclear Theory",
    "nucl-ex": "Nuclear Experiment",
    "nlin": "Nonlinear Sciences",
}

NAMES = {
    "cs.AI": "Artificial Intelligence",
    "cs.AR": "Hardware Architecture",
    "cs.CL": "Computation and Language",
    "cs.CR": "Cryptography and Security",
    "cs.CV": "Computer Vision and Pattern Recognition",
    "cs.CY": "Computers and Society",
    "cs.DB": "Databases",
    "cs.DC": "Distributed, Parallel, and Cluster Computing",
    "cs.DL": "Digital Libraries",
    "cs.DM": "Discrete Mathematics",
    "cs.DS": "Data Structures and Algorithms",
    "cs.GR": "Graphics",
    "cs.GT": "Computer Science and Game Theory",
    "cs.HC": "Human-Computer Interaction",
    "cs.IR": "Information Retrieval",
    "cs.IT": "Information Theory",
    "cs.LG": "Machine Learning",
    "cs.LO": "Logic in Computer Science",
    "cs.MA": "Multiagent Systems",
    "cs.MM": "Multimedia",
    "cs.NE": "Neural and Evolutionary Computing",
    "cs.NI": "Networking and Internet Architecture",
    "cs.PL": "Programming Languages",
    "cs.RO": "Robotics",
    "cs.SD": "Sound",
    "cs.SE": "Software Engineering",
    "cs.SI": "Social and Information Networks",
    "cs.SY": "Systems and Control",
    "stat.ML": "Machine Learning (Statistics)",
    "stat.ME": "Methodology",
    "stat.CO": "Computation",
    "math.OC": "Optimization and Control",
    "math.NA": "Numerical Analysis",
    "math.PR": "Probability",
    "math.ST": "Statistics Theory",
    "math.CO": "Combinatorics",
    "math.AG": "Algebraic Geometry",
    "math.MP": "Mathematical Physics",
    "eess.AS": "Audio and Speech Processing",
    "eess.IV": "Image and Video Processing",
    "eess.SP": "Signal Processing",
    "eess.SY": "Systems and Control",
    "q-bio.QM": "Quantitative Methods",
    "q-bio.BM": "Biomolecules",
    "astro-ph.CO": "Cosmology and Nongalactic Astrophysics",
    "astro-ph.EP": "Earth and Planetary Astrophysics",
    "astro-ph.GA": "Astrophysics of Galaxies",
    "astro-ph.HE": "High Energy Astrophysical Phenomena",
    "astro-ph.IM": "Instrumentation and Methods for Astrophysics",
    "astro-ph.SR": "Solar and Stellar Astrophysics",
    "cond-mat.stat-mech": "Statistical Mechanics",
    "cond-mat.mtrl-sci": "Materials Science",
    "physics.optics": "Optics",
    "physics.flu-dyn": "Fluid Dynamics",
    "physics.space-ph": "Space Physics",
    "physics.plasm-ph": "Plasma Physics",
    "physics.ao-ph": "Atmospheric and Oceanic Physics",
    "physics.comp-ph": "Computational Physics",
    "physics.data-an": "Data Analysis, Statistics and Probability",
    "physics.soc-ph": "Physics and Society",
}


def category_name(code: str) -> str:
    """``cs.LG`` -> ``Machine Learning``; an archive alone -> its group name."""
    return NAMES.get(code) or GROUPS.get(code) or code


def group_of(code: str) -> tuple[str, str]:
    """(group code, group name) of a category: ``cs.LG`` -> (``cs``, Computer Science)."""
    group = code.split(".", 1)[0]
    return group, GROUPS.get(group, group)

"""Copy the author-disambiguation gold sets into the shipped training folder.

    .venv/bin/python scripts/pack_gold.py [SHARED_DISAMBIGUATION_FOLDER]

Reads ``../shared/data/disambiguation`` (once, here; the project never reads
it at run time) and writes ``src/bzpeer/resolve/training/<set>/``. Records
are kept as published; the large files are gzipped, and the PubMed XML of
the two PubMed sets keeps only what the loaders read (PMID, title, journal,
publication date, authors with affiliations and iDs): abstracts, MeSH,
references and the ``PubmedData`` history are dropped (7.3 + 4.5 MB -> about
1 MB). Each set's README says where it came from.
"""

from __future__ import annotations

import gzip
import io
import shutil
import sys
import tarfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "bzpeer" / "resolve" / "training"
DROPPED = (
    "Abstract",
    "OtherAbstract",
    "MeshHeadingList",
    "SupplMeshList",
    "ChemicalList",
    "KeywordList",
    "GrantList",
    "CommentsCorrectionsList",
    "ReferenceList",
    "PubmedData",
    "GeneSymbolList",
    "PersonalNameSubjectList",
    "InvestigatorList",
    "DataBankList",
)


def gzip_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as fh, gzip.GzipFile(target, "wb", mtime=0) as out:
        shutil.copyfileobj(fh, out)


def plain_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def slim_pubmed(source: Path, target: Path) -> None:
    """The tar's XML files with only the elements the PubMed loader reads, re-packed."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        tarfile.open(source, "r:gz") as tar,
        gzip.GzipFile(target, "wb", mtime=0) as raw,
        tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as out,
    ):
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            stream = tar.extractfile(member) if member.isfile() else None
            if stream is None:
                continue
            data = stream.read()
            try:
                root = etree.fromstring(data, parser)
            except etree.XMLSyntaxError:
                continue  # an error page, not an article: the loader skips it too
            for tag in DROPPED:
                for node in list(root.iter(tag)):
                    node.getparent().remove(node)
            data = etree.tostring(root, encoding="utf-8")
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))


def main(shared: Path) -> None:
    plain_copy(shared / "inspire-beard-wang/README.rst", OUT / "inspire-wang/README.rst")
    for name in ("wang_signatures.json", "wang_clusters.json"):
        gzip_copy(shared / "inspire-beard-wang" / name, OUT / "inspire-wang" / f"{name}.gz")
    medline = shared / "medline-vishnyakova-pairs"
    plain_copy(medline / "1500_pairs_train.csv", OUT / "medline-pairs/1500_pairs_train.csv")
    slim_pubmed(
        medline / "pubmed_articles_xml.tar.gz", OUT / "medline-pairs/pubmed_articles_xml.tar.gz"
    )
    yonsei = shared / "yonsei-pubmed-and"
    plain_copy(yonsei / "AND_CORPUS_v01.txt", OUT / "yonsei/AND_CORPUS_v01.txt")
    slim_pubmed(yonsei / "pubmed_xml.tar.gz", OUT / "yonsei/pubmed_xml.tar.gz")
    kim = shared / "kim-dblp-han14/DBLP_labeled_data.txt"
    gzip_copy(kim, OUT / "kim-dblp/DBLP_labeled_data.txt.gz")
    lagos = shared / "lagos-and-sample/dataset_quality_testing_by_block.csv"
    gzip_copy(lagos, OUT / "lagos-and/dataset_quality_testing_by_block.csv.gz")
    for collection in ("bdbcomp", "kisti"):  # the DBLP names are Kim's set, labelled again
        for file in sorted((shared / "lbd-ufmg-samples" / collection).glob("*.txt")):
            plain_copy(file, OUT / "lbd-ufmg" / collection / file.name)
    tuples = shared / "s2and/name_tuples/s2and_name_tuples.txt"
    gzip_copy(tuples, OUT / "s2and-names/s2and_name_tuples.txt.gz")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/disambiguation")

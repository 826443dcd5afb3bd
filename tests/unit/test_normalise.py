"""Hand-written cases for every normalisation that deduplication relies on."""

import pytest
import yaml

from reviewflow.core.records import normalise_doi
from reviewflow.dedup.prep import (
    RULES_FILE,
    author_families,
    family_name,
    fold,
    is_meeting,
    is_recurring_title,
    is_supplement,
    issues_differ,
    journals_compatible,
    load_rules,
    normalise_identifier,
    normalise_issue,
    normalise_title,
    normalise_volume,
    notice_kind,
    pages_relation,
    parse_pages,
    parse_year,
    title_and_notice,
    unmarked,
    venue_years,
)

RULES = load_rules()


def test_rules_file_vocabularies_are_text():
    """YAML reads a bare `on`, `y` or `no` as a boolean: every vocabulary entry must be text."""
    data = yaml.safe_load(RULES_FILE.read_text())
    for name, value in data.items():
        if isinstance(value, list):
            assert all(isinstance(v, str) for v in value), name
        if isinstance(value, dict) and name != "thresholds":
            for key, item in value.items():
                assert isinstance(key, str), name
                items = item if isinstance(item, list) else [item]
                assert all(isinstance(i, str) for i in items), (name, key)


@pytest.mark.parametrize(
    "raw",
    [
        "10.1000/ABC.123",
        "https://doi.org/10.1000/abc.123",
        "http://dx.doi.org/10.1000/abc.123",
        "doi:10.1000/abc.123",
        "DOI: 10.1000/ABC.123.",
        "doi.org/10.1000/abc.123",
        " doi: https://doi.org/10.1000/abc.123 ",
    ],
)
def test_doi_forms(raw):
    assert normalise_doi(raw) == "10.1000/abc.123"


@pytest.mark.parametrize("raw", ["", None, float("nan"), "not a doi", "11.1000/abc"])
def test_doi_missing_or_not_a_doi(raw):
    assert normalise_doi(raw) == ""


@pytest.mark.parametrize(
    "raw, expected",
    [("PMID: 12345", "12345"), ("12345.0", "12345"), (" WOS:000123 ", "000123"), ("", "")],
)
def test_identifiers(raw, expected):
    assert normalise_identifier(raw) == expected


def test_fold_accents_greek_and_special_letters():
    assert fold("Müller-Łukasz Straße") == "muller-lukasz strasse"
    assert fold("IFN-γ and TGF-β") == "ifn-gamma and tgf-beta"
    assert fold("Æther Ørsted") == "aether orsted"


def title(text):
    return normalise_title(text, RULES)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Non-small-cell lung cancer.", "NON SMALL CELL LUNG CANCER"),  # case, hyphens, period
        ("Management of CIN. [Review] [45 refs]", "Management of CIN"),
        ("Surveillance after CIN (Provisional abstract)", "Surveillance after CIN"),
        ("Surveillance after CIN (Structured abstract)", "Surveillance after CIN"),
        (
            "Dynamics of HPV16.[Erratum appears in J Clin Virol. 2006;37(2):137]",
            "Dynamics of HPV16",
        ),
        ("[Research on fast track surgery] LA: Chi", "Research on fast track surgery"),
        ("A study of 10 000 women", "A study of 10,000 women"),
        ("A phase II trial of dasatinib", "A phase 2 trial of dasatinib"),
        ("Part I: design", "Part 1: design"),
        ("Role of <i>TP53</i> in cancer", "Role of TP53 in cancer"),
        ("Obstetrics & gynaecology in haematology", "Obstetrics and gynecology in hematology"),
        ("Interferon-γ in HPV", "Interferon-gamma in HPV"),
        ("Women's health", "Womens health"),
        ("RETRACTED: Vaccines and autism", "Vaccines and autism"),
        ("Use of antibiotics... includes discussion", "Use of antibiotics"),
        ("Trial of drug X: Original Article", "Trial of drug X"),
    ],
)
def test_titles_that_normalise_equal(a, b):
    assert title(a).compact == title(b).compact


def test_title_parts_in_two_languages():
    t = title("Utilidad de los antimicrobianos en trauma; Are antimicrobials useful in trauma?")
    assert "are antimicrobials useful in trauma" in t.parts
    t = title("Antibiotic prophylaxis. <ORIGINAL> PROPHYLAXIE ANTIBIOTIQUE EN CHIRURGIE")
    assert "prophylaxie antibiotique en chirurgie" in t.parts


def test_title_numbers():
    assert title("Phase III trial of 2 drugs").numbers == ("3", "2")
    assert title("I think therefore").numbers == ()  # a lone 'I' is a word, not a numeral


@pytest.mark.parametrize(
    "text, publication_type, kind",
    [
        ("Erratum: Gain-of-function mutations in factor B", "", "erratum"),
        ("Correction to: Gain-of-function mutations", "", "erratum"),
        ("Eculizumab for atypical HUS (vol 360, pg 542, 2009)", "", "erratum"),
        ("Eculizumab for atypical HUS (New England Journal of Medicine (2009) 360 (542-544))", "",
         "erratum"),
        ("Gain-of-function mutations", "Journal Article; Published Erratum", "erratum"),
        ("Retraction notice to: Vaccines and autism", "", "retraction"),
        ("Comment on: Vaccines and autism", "", "comment"),
        ("Re: Vaccines and autism", "", "comment"),
        ("Reply to: Vaccines and autism", "", "reply"),
        ("In reply", "", "reply"),
        ("Thrombomodulin in atypical HUS AUTHORS REPLY", "", "reply"),
        ("Atypical HUS and streptococcus - Reply", "", "reply"),
        ("Thrombomodulin in atypical HUS", "Journal Article", ""),
        ("Dynamics of HPV16.[Erratum appears in J Clin Virol. 2006;37(2):137]", "", ""),
        ("Retraction of the gingiva in adolescents", "", ""),
        ("Vaccines and autism", "Retracted Publication", ""),
    ],
)  # fmt: skip
def test_notice_kinds(text, publication_type, kind):
    assert notice_kind(text, publication_type, RULES) == kind


def test_two_copies_of_one_erratum_compare_equal():
    a = title("Erratum: Severe deficiency of ADAMTS13 in children")
    b = title("Severe deficiency of ADAMTS13 in children (vol 142, pg 310, 2003)")
    assert a.compact == b.compact


@pytest.mark.parametrize(
    "name, family",
    [
        ("Smith, John A.", "smith"),
        ("Smith JA", "smith"),
        ("J. A. Smith", "smith"),
        ("Müller, K", "muller"),
        ("van der Berg, J", "berg"),
        ("von Pawel, J.", "pawel"),
        ("Pawel, J.", "pawel"),
        ("Wright Jr., T C", "wright"),
        ("van, Hamont D", "hamont"),
        ("Lazcano-Ponce, E", "lazcanoponce"),
        ("Tam CK", "tam"),  # a short family name in MEDLINE form
        ("Y Wu", "wu"),
        ("SMITH J.A.", "smith"),  # initials with dots after the family name
        ("Smith J.-P.", "smith"),
    ],
)
def test_family_names(name, family):
    assert family_name(name, RULES) == family


def test_author_lists_in_every_format():
    expected = ("zuna", "wang", "schiffman")
    assert author_families("Zuna, R E and Wang, S S and Schiffman, M", RULES) == expected
    assert author_families("Zuna, R. E.; Wang, S. S.; Schiffman, M.", RULES) == expected
    assert author_families("Zuna RE; Wang SS; Schiffman M", RULES) == expected
    assert author_families("Zuna, R E; Wang, S S; Schiffman, M; et al.", RULES) == expected
    # group authors are not persons
    assert author_families("Group, ALTS; Solomon, D", RULES) == ("solomon",)
    assert author_families("Alexion Pharmaceuticals, Inc", RULES) == ()


@pytest.mark.parametrize(
    "a, b",
    [
        ("J Clin Oncol", "Journal of clinical oncology : official journal of the ASCO"),
        ("Jthoraccardiovascsurg", "The Journal of thoracic and cardiovascular surgery"),
        ("Dtsch-Med-Wochenschr", "Deutsche Medizinische Wochenschrift"),
        ("Ann Fr Anesth Reanim", "Annales Francaises d'Anesthesie et de Reanimation"),
        ("Amcis 2017 Proceedings", "Americas Conference on Information Systems"),
        ("Obstetrics & Gynecology", "Obstetrics and Gynecology"),
        ("J Thromb Haemost", "Journal of Thrombosis and Haemostasis.Conference: ISTH 2011"),
        ("Zhongguo fei ai za zhi = Chinese journal of lung cancer",
         "Chinese Journal of Lung Cancer"),
        ("Medizinische Klinik (Munich, Germany : 1983)", "Medizinische Klinik"),
        ("JPEN. Journal of parenteral and enteral nutrition",
         "Journal of Parenteral & Enteral Nutrition"),
        ("Gynaecologic Oncology", "Gynecologic Oncology"),
        ("Ann.New York Acad.Sci.", "Annals of the New York Academy of Sciences"),
        ("Curr Vasc Pharmacol", "Current Vascular Pharmacology"),  # word prefixes
        ("CURR. VASC. PHARMACOL.", "Current vascular pharmacology"),
        ("Seminars in Thrombosis &amp; Hemostasis", "Seminars in Thrombosis and Hemostasis"),
    ],
)  # fmt: skip
def test_journals_compatible(a, b):
    assert journals_compatible(fold(a), fold(b), RULES)
    assert journals_compatible(fold(b), fold(a), RULES)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Cancer", "Cancer Cytopathology"),
        ("Chest", "Thorax"),
        ("Gynecologic Oncology", "International Journal of Gynecological Cancer"),
        ("Journal of Clinical Virology", "Journal of Clinical Oncology"),
        ("Arthritis Care and Research", "International Journal of Rheumatic Diseases"),
    ],
)
def test_journals_not_compatible(a, b):
    assert not journals_compatible(fold(a), fold(b), RULES)


@pytest.mark.parametrize(
    "raw, volume", [("30a", "30"), ("9 Suppl 23", "9"), ("21 (Pt 2)", "21"), ("Suppl 2", ""),
                    ("", ""), ("007", "7"),
                    ("1)", ""),  # Embase: what is left of '23(Suppl. 1)'; not volume 1
                    ("Drug Discovery. 9", "9"),  # a journal name split into the volume
                    ("Apr 25 [Epub ahead of print]", ""), ("26 Suppl A", "26"),
                    ("35 ( Pt 1)", "35"), ("S1", "")],
)  # fmt: skip
def test_volumes(raw, volume):
    assert normalise_volume(raw) == volume


@pytest.mark.parametrize(
    "raw, ranges",
    [
        ("288-297", ((288, 297),)),
        ("288-97", ((288, 297),)),
        ("S27", ((27, None),)),
        ("S417-S429", ((417, 429),)),
        ("100A-101A", ((100, 101),)),
        # page ranges a spreadsheet turned into dates: every reading that fits is kept
        ("12-May", ((12, 15), (5, 12))),  # '12-5' (= 12-15) or '5-12'
        ("21-Aug", ((21, 28), (8, 21))),  # '21-8' (= 21-28) read as 21 August, or 8-21
        ("01-Jun", ((1, 6),)),
        ("Aug-21", ((8, 21),)),  # '8-21' read as August 2021
        ("Sep-17", ((9, 17),)),
        ("95-+", ((95, None),)),  # Web of Science: continued on later pages
        ("872-&", ((872, None),)),
        ("499\u2013711", ((499, 711),)),  # an en dash
        ("47--65", ((47, 65),)),  # BibTeX
        ("527-32.e1", ((527, 532),)),
        ('"233-8, 230-5, 246-51"', ((233, 238), (230, 235), (246, 251))),
        ("742-8; discussion 748-9", ((742, 748),)),
        ("Suppl-29", ()),
        ("t-8", ()),
        ("", ()),
    ],
)
def test_pages(raw, ranges):
    assert parse_pages(raw).ranges == ranges


@pytest.mark.parametrize(
    "a, b, relation",
    [
        ("288-297", "288-97", "same"),
        ("233-8, 230-5", "230-5, 233-8", "same"),
        ("488", "487-488", "overlap"),
        ("1383-1392", "1393-1400", "different"),
        ("e12724", "1-6", "unknown"),  # an article number against a page range
        ("e12724", "12724", "same"),
        ("21-Aug", "21-28", "same"),
        ("21-Aug", "8-21", "same"),
        ("01-Jun", "1-6", "same"),
        ("01-Jun", "2-6", "overlap"),
        ("", "12", "unknown"),
        ("c1804", "1014", "unknown"),  # BMJ: online article number / print page
        ("a1754", "969-972", "unknown"),
        ("S33-38", "1262-1268", "different"),  # a supplement page is a page
        ("p123", "456", "different"),  # 'p' is for 'page'
        ("2297-2108", "2097-2108", "overlap"),  # a typo in the first page, same end page
        ("3663-1663", "1663-1663", "overlap"),
        ("2297-2310", "2097-2108", "different"),
    ],
)
def test_page_relations(a, b, relation):
    assert pages_relation(parse_pages(a), parse_pages(b)) == relation
    assert parse_pages("e12724").elocator


@pytest.mark.parametrize(
    "raw, year", [("2004", 2004), ("2004 Mar 5", 2004), ("Mar-2004", 2004), ("", None),
                  ("n.d.", None), (2004.0, 2004)],
)  # fmt: skip
def test_years(raw, year):
    assert parse_year(raw) == year


@pytest.mark.parametrize(
    "raw",
    [
        "https://doi.org/10.1016/j.bcp.2012.11.014",  # an EndNote export (ASySD's)
        "http://dx.doi.org/10.1016/J.BCP.2012.11.014",
        "doi:10.1016/j.bcp.2012.11.014",
        "DOI: 10.1016/j.bcp.2012.11.014 [doi]",
        "https://www.scopus.com/inward/record.uri?eid=2-s2.0-8&doi=10.1016%2fj.bcp.2012.11.014"
        "&partnerID=40",  # a Scopus link
    ],
)
def test_doi_real_export_forms(raw):
    assert normalise_doi(raw) == "10.1016/j.bcp.2012.11.014"


def test_doi_with_brackets_and_semicolon_kept_whole():
    sici = "10.1892/0891-6640(2007)21[394:GCOARH]2.0.CO;2"  # Web of Science
    assert normalise_doi(sici) == sici.lower()


def test_one_doi_normaliser():
    from reviewflow.dedup import tables  # dedup compares DOIs with the record schema's own

    assert tables.normalise_doi is normalise_doi


@pytest.mark.parametrize(
    "raw, issue",
    [("3", "3"), ("14, Sp. Iss. SI", "14"), ("11, Part 1", "11"), ("SUPPL. 1", "s1"),
     ("Suppl. 2", "s2"), ("S2", "s2"), ("SUPPL", "s"), ("13 SUPPL", "s"), ("11-12", "11-12"),
     ("Supplement 3", "s3"), ("var.pagings", ""), ("", "")],
)  # fmt: skip
def test_issues(raw, issue):
    assert normalise_issue(raw) == issue


@pytest.mark.parametrize(
    "a, b, differ",
    [("3", "4", True), ("3", "3", False), ("11-12", "12", False), ("11-12", "13", True),
     ("s1", "s2", True), ("s1", "1", False), ("s", "s2", False), ("", "4", False),
     ("1112", "1113", False)],  # above the maximum: an export's running number
)  # fmt: skip
def test_issues_differ(a, b, differ):
    assert issues_differ(a, b, maximum=60) is differ


@pytest.mark.parametrize(
    "raw, clean",
    [("Caf&eacute; &amp; bar", "Café & bar"), ("&#946;-blockers", "β-blockers"),
     ("<i>In vivo</i> imaging", " In vivo  imaging"), ("a <ORIGINAL> b", "a <ORIGINAL> b"),
     ("plain", "plain")],
)  # fmt: skip
def test_markup_removed(raw, clean):
    assert unmarked(raw) == clean


def test_titles_with_markup_compare_equal():
    a = normalise_title("&#946;-Blockers &amp; <i>in vivo</i> imaging", RULES)
    assert a == normalise_title("β-blockers & in vivo imaging", RULES)


def test_translated_title_in_brackets():
    english = normalise_title("Spinal pachymeningitis in IgG4-related disease", RULES)
    # MEDLINE: a title in another language given as its English translation in brackets
    assert normalise_title("[Spinal pachymeningitis in IgG4-related disease].", RULES) == english
    both = normalise_title(
        "Spinale Pachymeningitis bei IgG4-assoziierter Erkrankung "
        "[Spinal pachymeningitis in IgG4-related disease]",
        RULES,
    )
    assert english.words in both.parts
    assert "spinale pachymeningitis bei igg4 assoziierter erkrankung" in both.parts


def test_reversed_range_keeps_its_end_page():
    pages = parse_pages("2297-2108")
    assert pages.ranges == ((2297, None),) and pages.reversed_ends == (2108,)
    assert parse_pages("288-97").reversed_ends == ()  # an abbreviated end page is not reversed


@pytest.mark.parametrize(
    "journal, publication_type, meeting",
    [
        ("Pediatric Transplantation.Conference: 6th Congress of the International Pediatric "
         "Transplant Association", "article", True),  # Embase
        ("Amcis 2017 Proceedings", "", True),
        ("Americas Conference on Information Systems", "inproceedings", True),
        ("Blood", "Conference Abstract", True),
        ("Journal of Clinical Oncology", "Meeting Abstract", True),
        ("Pediatric Transplantation", "article", False),
        ("Proceedings of the National Academy of Sciences of the United States of America",
         "article", False),  # a journal
        ("Mayo Clinic Proceedings", "Journal Article", False),
        ("Proceedings of the 2015 Workshop on Health Records", "", True),
        ("Journal of Global Information Technology Management", "article", False),
    ],
)  # fmt: skip
def test_meeting_records(journal, publication_type, meeting):
    assert is_meeting(journal, publication_type, RULES) is meeting


def test_supplements_and_venue_years():
    assert is_supplement("10 Suppl 2", "") and is_supplement("145", "Suppl. 1")
    assert is_supplement("1)", "SUPPL. 1") and not is_supplement("15", "3")
    assert venue_years("AMCIS 2017 Proceedings") == {2017}
    assert venue_years("Americas Conference on Information Systems") == frozenset()


@pytest.mark.parametrize(
    "title, recurring",
    [
        ("Introduction to the Minitrack on Crowdsourcing and Digital Workforce in the Gig "
         "Economy", True),
        ("Editor's Comments", True),
        ("Editorial", True),
        ("Preface to the special issue", True),
        ("Message from the General Chairs", True),
        ("Introduction of liquid-based cytology in a screening programme", False),
        ("Making the Most of Virtual Expertise in Telemedicine and Telehealth Environments",
         False),
    ],
)  # fmt: skip
def test_recurring_titles(title, recurring):
    assert is_recurring_title(normalise_title(title, RULES), RULES) is recurring


@pytest.mark.parametrize(
    "title, publication_type",
    [
        ("Erratum: Gain-of-function mutations in complement factor B", "article"),
        ("Eculizumab for Atypical Hemolytic-Uremic Syndrome (vol 360, pg 542, 2009)", ""),
        ("Atypical hemolytic uremic syndrome associated with group A streptococcus - Reply",
         "article"),
        ("Disease recurrence in paediatric renal transplantation.", "Published Erratum"),
        ("Disease recurrence in paediatric renal transplantation.", "Journal Article"),
        ("  Retraction notice to: a trial  ", ""),
    ],
)  # fmt: skip
def test_title_and_notice_computed_together_agree_with_each_alone(title, publication_type):
    assert title_and_notice(title, publication_type, RULES) == (
        normalise_title(title, RULES),
        notice_kind(title, publication_type, RULES),
    )


def test_group_authors_left_out_wherever_they_stand():
    assert author_families("Alexion Pharmaceuticals, Inc", RULES) == ()
    assert author_families("Smith, J; ALTS Group; Jones, K", RULES) == ("smith", "jones")
    assert author_families("Studer, A; Groot, B", RULES) == ("studer", "groot")

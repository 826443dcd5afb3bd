"""Normalising bibliographic fields so that one article looks the same whichever database
exported it: case, accents, Greek letters, punctuation, annotations that databases add to
titles, author name formats, abbreviated journal names, page ranges and DOI forms.

Pure functions on strings. The vocabularies and patterns they use are in `dedup_rules.yaml`
(loaded once by `load_rules`), not in the code.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from reviewflow.core.yamlfile import read_yaml

RULES_FILE = Path(__file__).with_name("dedup_rules.yaml")

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau",
    "υ": "upsilon", "φ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip
# Letters that Unicode decomposition does not turn into ASCII.
SPECIAL_LETTERS = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ħ": "h", "µ": "mu",
}  # fmt: skip
FOLD_TABLE = str.maketrans({**GREEK, **SPECIAL_LETTERS})  # applied after lower()

ROMAN = {
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10,
    "xi": 11, "xii": 12, "xiii": 13, "xiv": 14, "xv": 15,
}  # fmt: skip
# A one-letter Roman numeral (i, v, x) is read as a number only after one of these words.
NUMBERED_WORDS = frozenset(
    "part phase stage type grade class study trial section volume series chapter".split()
)

HTML_TAG = re.compile(r"</?[a-z][a-z0-9]*\s*/?>")
# Inline HTML that exports leave in titles (not '<ORIGINAL>', a language separator of Ovid's)
HTML_TAG_ANY_CASE = re.compile(
    r"</?(?:i|b|u|em|strong|sup|sub|sc|scp|inf|br|p|span|div|font|small|a|mml:\w+)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
BRACKETED = re.compile(r"\[([^\[\]]*)\]")
NON_WORD = re.compile(r"[^a-z0-9]+")
ELISION = re.compile(r"\b([dl])['’`](?=[a-z])")
APOSTROPHE = re.compile(r"(?<=[a-z])['’`](?=[a-z])")
PAGE_PART = re.compile(
    r"^([a-z]{0,3})(\d+)[a-z]?(?:\s*-+\s*([a-z]{0,3})(\d+)[a-z]?)?(?:\.e\d+)?$"  # '527-32.e1'
)
MONTH_NAMES = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
DAY_MONTH_PAGE = re.compile(rf"^(\d{{1,2}})-({MONTH_NAMES})[a-z]*$")  # '21-Aug'
MONTH_YEAR_PAGE = re.compile(rf"^({MONTH_NAMES})[a-z]*-(\d{{1,2}})$")  # 'Aug-21'
VOLUME = re.compile(
    r"^(\d+)(?:\s*[a-z]?\s*$|\s*[a-z]?\s*[\s(.,:/]\s*(?:suppl|sup|pt|part|no|issue|s\d|\d)|-\d+$)"
)
VOLUME_AFTER_TEXT = re.compile(r"^(?!suppl|sup\b|s\d)[a-z][a-z .,:&-]*[.,:]\s*(\d+)$")
ISSUE_NUMBER = re.compile(r"^(\d+)(?:\s*[-/]\s*(\d+))?")
SUPPLEMENT = re.compile(r"\bsuppl?\w*\.?\s*(\d*)|^s(\d+)$")
MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
DIGITS = re.compile(r"\d+")
INITIALS = re.compile(r"[A-Z]{1,3}")  # the initials after a MEDLINE family name
CONFERENCE_PART = re.compile(r"\.\s*conference\s*:.*$")  # 'J Thromb Haemost.Conference: ...'
DIGIT_GROUP = re.compile(r"(?<=\d)[ ,](?=\d{3}(?!\d))")
PAGE_SEPARATOR = re.compile(r"\s*[,;+]\s*")
HAS_DIGIT = re.compile(r"\d").search
ET_AL = re.compile(r"\s*,?\s*\bet al\b\.?")
NAME_SEPARATOR = re.compile(r"\s*[;\n]\s*")
AND_SEPARATOR = re.compile(r"\s+and\s+")


@dataclass(frozen=True, eq=False)  # hashed by identity: functions cache results per Rules
class Rules:
    """The compiled content of dedup_rules.yaml."""

    thresholds: dict
    title_annotations: re.Pattern  # all of them, as one alternation
    title_language_separator: re.Pattern
    notice_title_markers: tuple[tuple[str, re.Pattern], ...]  # per kind, one alternation
    any_notice_marker: re.Pattern
    notice_publication_types: tuple[tuple[str, re.Pattern], ...]
    journal_stopwords: frozenset
    word_variants: dict
    name_particles: frozenset
    name_suffixes: frozenset
    group_author: re.Pattern
    meeting_venue: re.Pattern  # a venue that is a conference, congress or meeting
    meeting_publication_type: re.Pattern  # a publication type of a conference record
    recurring_title: re.Pattern  # titles that recur in every issue or edition
    preprint_venue: re.Pattern  # a venue that is a preprint server (medRxiv, SSRN, ...)
    preprint_doi: re.Pattern  # a DOI a preprint server registers
    preprint_publication_type: re.Pattern
    thesis: re.Pattern  # a dissertation, or its entry in Dissertation Abstracts (venue or type)


def _alternation(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@functools.lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_FILE) -> Rules:
    data = read_yaml(path)
    return Rules(
        thresholds=dict(data["thresholds"]),
        title_annotations=_alternation(data["title_annotations"]),
        title_language_separator=_alternation(data["title_language_separators"]),
        notice_title_markers=tuple(
            (kind, _alternation(patterns))
            for kind, patterns in data["notice_title_markers"].items()
        ),
        any_notice_marker=_alternation(
            [p for patterns in data["notice_title_markers"].values() for p in patterns]
        ),
        notice_publication_types=tuple(
            (kind, re.compile(p)) for kind, p in data["notice_publication_types"].items()
        ),
        journal_stopwords=frozenset(data["journal_stopwords"]),
        word_variants=dict(data["word_variants"]),
        name_particles=frozenset(data["name_particles"]),
        name_suffixes=frozenset(data["name_suffixes"]),
        group_author=re.compile(r"\b(?:" + "|".join(data["group_author_words"]) + r")\b"),
        meeting_venue=_alternation(data["meeting_venue_markers"]),
        meeting_publication_type=_alternation(data["meeting_publication_types"]),
        recurring_title=_alternation(data["recurring_title_markers"]),
        preprint_venue=_alternation(data["preprint_venue_markers"]),
        preprint_doi=_alternation(data["preprint_doi_patterns"]),
        preprint_publication_type=_alternation(data["preprint_publication_types"]),
        thesis=_alternation(data["thesis_markers"]),
    )


def text(value: object) -> str:
    """A cell as a stripped string; missing values (None, NaN) as ''."""
    if value is None or value != value:  # NaN is not equal to itself
        return ""
    return str(value).strip()


@functools.lru_cache(maxsize=65536)
def _unmarked(value: str) -> str:
    return (
        HTML_TAG_ANY_CASE.sub(" ", html.unescape(value)) if "&" in value or "<" in value else value
    )


def unmarked(value: object) -> str:
    """A cell without HTML markup: entities decoded ('Caf&eacute; &amp; bar' -> 'Café & bar',
    '&#946;' -> 'β') and tags dropped ('<i>in vivo</i>' -> ' in vivo ')."""
    return _unmarked(text(value))


@functools.lru_cache(maxsize=65536)
def fold(value: str) -> str:
    """Lower case ASCII: accents dropped, Greek letters spelled out (β -> beta), ß -> ss."""
    value = value.lower()
    if not value.isascii():
        value = unicodedata.normalize("NFKD", value.translate(FOLD_TABLE))
        value = "".join(c for c in value if not unicodedata.combining(c))
        value = value.translate(FOLD_TABLE)
    return value


def normalise_identifier(value: object) -> str:
    """A database accession (PMID, WoS UT, Embase id): no spaces, no known prefix, lower case."""
    ident = text(value)
    if not ident:
        return ""
    ident = re.sub(r"\s+", "", ident).lower()
    ident = re.sub(r"^(?:pmid:?|wos:|embase:?)", "", ident)
    if ident.endswith(".0") and ident[:-2].isdigit():  # a number read as a float
        ident = ident[:-2]
    return ident


def _words(value: str, rules: Rules) -> list[str]:
    value = value.replace("&amp;", " and ").replace("&", " and ")
    if "<" in value:
        value = HTML_TAG.sub(" ", value)
    if HAS_DIGIT(value):
        value = DIGIT_GROUP.sub("", value)  # '10 000' and '10,000' -> '10000'
    value = value.replace("ae", "e").replace("oe", "e")  # haemostasis, oedema, foetal
    if "'" in value or "’" in value or "`" in value:
        value = ELISION.sub(r"\1 ", value)  # "d'anesthesie" -> 'd anesthesie'
        value = APOSTROPHE.sub("", value)  # "women's" -> 'womens'
    words = NON_WORD.sub(" ", value).split()
    variants = rules.word_variants
    out = []
    for i, word in enumerate(words):
        word = variants.get(word, word)
        number = ROMAN.get(word)
        if number is not None and (len(word) > 1 or (i and words[i - 1] in NUMBERED_WORDS)):
            word = str(number)
        out.append(word)
    return out


@dataclass(frozen=True)
class Title:
    """A title ready for comparison."""

    words: str  # cleaned words joined by one space
    compact: str  # the same without spaces (so 'post-operative' == 'postoperative')
    parts: tuple[str, ...]  # the title in each language when it carries two (else empty)
    numbers: tuple[str, ...]  # the numbers it contains, in order ('phase II' -> '2')


@functools.lru_cache(maxsize=65536)
def strip_annotations(title: str, rules: Rules) -> str:
    """The title folded (lower case ASCII) without markup and the annotations databases add to
    it."""
    return rules.title_annotations.sub(" ", fold(_unmarked(title)))


def _language_pieces(folded: str, rules: Rules) -> list[str]:
    """The title in each language it carries: split at the separators of dedup_rules.yaml, and
    a title in brackets apart from the rest ('Akute Meningitis [Acute meningitis]':
    MEDLINE brackets the English translation of a title in another language)."""
    pieces = []
    for piece in rules.title_language_separator.split(folded):
        inside = BRACKETED.findall(piece)
        outside = BRACKETED.sub(" ", piece)
        has_outside = inside and re.search(r"[a-z]", outside)
        pieces.extend([outside, *inside] if has_outside else [piece])
    return pieces


def normalise_title(title: object, rules: Rules) -> Title:
    return title_and_notice(title, "", rules)[0]


def title_and_notice(title: object, publication_type: object, rules: Rules) -> tuple[Title, str]:
    """The title ready for comparison (`normalise_title`) and the kind of notice the record is
    (`notice_kind`), computed together: the notice markers are searched once."""
    folded = strip_annotations(text(title), rules)
    kind = ""
    if rules.any_notice_marker.search(folded):  # rare: most titles skip the two passes below
        stripped = folded.strip()
        kind = next((k for k, m in rules.notice_title_markers if m.search(stripped)), "")
        folded = rules.any_notice_marker.sub(" ", folded)
    return _title(folded, rules), kind or _notice_type(publication_type, rules)


def _title(folded: str, rules: Rules) -> Title:
    words = _words(folded, rules)
    parts = []
    pieces = _language_pieces(folded, rules)
    if len(pieces) > 1:
        for piece in pieces:
            piece_words = _words(piece, rules)
            if len(piece_words) >= 3:
                parts.append(" ".join(piece_words))
    numbers = tuple(w for w in words if w.isdigit())
    joined = " ".join(words)
    return Title(joined, joined.replace(" ", ""), tuple(parts), numbers)


def notice_kind(title: object, publication_type: object, rules: Rules) -> str:
    """'erratum', 'retraction', 'comment', 'reply' for a notice about another record; else ''."""
    folded = strip_annotations(text(title), rules).strip()
    for kind, marker in rules.notice_title_markers:
        if marker.search(folded):
            return kind
    return _notice_type(publication_type, rules)


def _notice_type(publication_type: object, rules: Rules) -> str:
    """The notice kind a publication type names ('Published Erratum' -> 'erratum'), or ''."""
    types = fold(text(publication_type))
    for kind, pattern in rules.notice_publication_types:
        if types and pattern.search(types):
            return kind
    return ""


# ---- authors -------------------------------------------------------------------------------


def split_authors(value: object) -> list[str]:
    """'A, B; C, D' (reviewflow), 'A, B and C, D' (BibTeX) or one name per line -> names."""
    raw = unmarked(value)
    if "et al" in raw:
        raw = ET_AL.sub("", raw)
    if not raw:
        return []
    if ";" in raw or "\n" in raw:
        names = NAME_SEPARATOR.split(raw)
    else:
        names = AND_SEPARATOR.split(raw)
    return [n.strip() for n in names if n.strip()]


@functools.lru_cache(maxsize=262144)
def family_name(name: str, rules: Rules) -> str:
    """The family name of one author as a comparison key: ASCII letters only, particles and
    suffixes dropped ('van der Berg, J.' -> 'berg'; 'Wright Jr., T C' -> 'wright').

    Understands 'Family, Given', 'Family G' (MEDLINE), 'G. Family' and 'Given Family'.
    """
    original = name.strip()
    name = fold(original)
    if "," in name:  # 'Smith, John A', 'Smith, J. A.': given names or initials alike
        family, _, given = name.partition(",")
        family_words = NON_WORD.sub(" ", family).split()
        if family_words and all(w in rules.name_particles for w in family_words):
            # 'van, Hamont D' (a particle split off by a converter): the family is in 'given'
            given_words = NON_WORD.sub(" ", given).split()
            family_words = given_words[:1]
    else:
        words = NON_WORD.sub(" ", name).split()
        last = original.split()[-1] if original.split() else ""
        initials = len(NON_WORD.sub(" ", fold(last)).split())  # 'J.-P.' is two words
        if len(words) > initials and INITIALS.fullmatch(re.sub(r"[.\-]", "", last)):
            family_words = words[:-initials]  # 'Smith JA', 'Tam CK' (MEDLINE), 'SMITH J.A.'
        else:
            family_words = words[-1:]  # 'J. A. Smith'
    kept = [
        w for w in family_words if w not in rules.name_particles and w not in rules.name_suffixes
    ]
    return "".join(kept or family_words)


def author_families(value: object, rules: Rules) -> tuple[str, ...]:
    """Family-name keys of the persons among the authors (groups such as 'ALTS Group' or
    'Alexion Pharmaceuticals, Inc' are left out)."""
    names = split_authors(value)
    # A group word in one name is one in the whole list (names are split at non-word
    # characters): most lists have none and are searched once.
    if names and rules.group_author.search(fold("; ".join(names))):
        names = [n for n in names if not rules.group_author.search(fold(n))]
    return tuple(f for f in (family_name(n, rules) for n in names) if f)


def author_words(value: object) -> frozenset:
    """Every word of three letters or more in the author names."""
    return frozenset(w for w in NON_WORD.sub(" ", fold(unmarked(value))).split() if len(w) >= 3)


# ---- journals -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _journal_forms(journal: str, rules: Rules) -> tuple[tuple[str, ...], ...]:
    folded = fold(journal)
    candidates = [folded, CONFERENCE_PART.sub("", folded)]
    no_brackets = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", folded)
    candidates.append(no_brackets)
    for sep in (" = ", ":", ". "):
        for candidate in list(candidates):
            if sep in candidate:
                candidates.extend(candidate.split(sep))
    forms = []
    for candidate in candidates:
        words = [
            w
            for w in _words(candidate, rules)
            if w not in rules.journal_stopwords and not w.isdigit()
        ]
        if words and tuple(words) not in forms:
            forms.append(tuple(words))
    return tuple(forms)


def journal_forms(journal: object, rules: Rules) -> tuple[tuple[str, ...], ...]:
    """The ways a journal name may be written, as word tuples: the whole name, the name before a
    ':' or '=', the name without parentheses ('Medizinische Klinik (Munich, Germany : 1983)')."""
    return _journal_forms(unmarked(journal), rules)


def _abbreviates_word(short: str, long: str) -> bool:
    """'clin' of 'clinical', 'dtsch' of 'deutsche': same first letter, letters in order."""
    if short == long or long.startswith(short):
        return True
    if short[0] != long[0] or len(short) < 2:
        return False
    position = 0
    for letter in short:
        position = long.find(letter, position) + 1
        if not position:
            return False
    return True


def _concatenated_prefixes(short: str, words: tuple[str, ...]) -> bool:
    """Is `short` the concatenation of a non-empty prefix of every word in turn?
    ('jthoraccardiovascsurg' of journal thoracic cardiovascular surgery, 'amcis' of americas
    conference information systems)."""

    @functools.cache
    def match(position: int, index: int) -> bool:
        if index == len(words):
            return position == len(short)
        word = words[index]
        remaining_words = len(words) - index - 1
        for length in range(min(len(word), len(short) - position - remaining_words), 0, -1):
            if short[position : position + length] == word[:length] and match(
                position + length, index + 1
            ):
                return True
        return False

    return len(short) >= len(words) and match(0, 0)


def _forms_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if a == b:
        return True
    short, long = (a, b) if len("".join(a)) <= len("".join(b)) else (b, a)
    if len(short) == len(long):
        if len(short) == 1:
            return len(short[0]) >= 4 and long[0].startswith(short[0])
        return all(_abbreviates_word(s, w) for s, w in zip(short, long, strict=True))
    if len(short) >= 3 and set(short) <= set(long):
        return True  # 'journal parenteral enteral nutrition' in 'jpen journal parenteral ...'
    if len(long) >= 2 and len(short) < len(long):
        return _concatenated_prefixes("".join(short), long)
    return False


@functools.lru_cache(maxsize=262144)
def journals_compatible(a: str, b: str, rules: Rules) -> bool:
    """Can two journal names be the same journal, one an abbreviation or variant of the other?
    ('J Clin Oncol' / 'Journal of clinical oncology : official journal of ...' -> True;
    'Cancer' / 'Cancer Cytopathology' -> False.)"""
    forms_a, forms_b = _journal_forms(_unmarked(a), rules), _journal_forms(_unmarked(b), rules)
    return any(_forms_compatible(x, y) for x in forms_a for y in forms_b)


def is_meeting(journal: object, publication_type: object, rules: Rules) -> bool:
    """A conference record: its venue names a conference, congress or meeting
    ('Pediatric Transplantation.Conference: 6th Congress ...', 'AMCIS 2017 Proceedings') or its
    publication type is a conference one ('inproceedings', 'Conference Abstract')."""
    venue = fold(unmarked(journal))
    kind = fold(text(publication_type))
    return bool(
        (venue and rules.meeting_venue.search(venue))
        or (kind and rules.meeting_publication_type.search(kind))
    )


def is_supplement(volume: object, issue: object) -> bool:
    """A record in a journal supplement: its issue ('Suppl. 1', 'S2') or volume ('10 Suppl 2')
    says so."""
    return normalise_issue(issue).startswith("s") or bool(SUPPLEMENT.search(fold(text(volume))))


def supplement_numbers(volume: object, issue: object) -> frozenset:
    """The numbers a supplement's issue field carries ('1 SUPPL. 1' -> {'1'}, 'Suppl 2' ->
    {'2'}, '3 Suppl' -> {'3'}; empty when the record is not in a supplement): an export may
    give one of them as the volume (volume '1' for volume 58, issue '1 SUPPL. 1')."""
    if not is_supplement(volume, issue):
        return frozenset()
    return frozenset(str(int(n)) for n in DIGITS.findall(fold(text(issue))))


def is_preprint(journal: object, publication_type: object, doi: str, rules: Rules) -> bool:
    """A preprint: its venue is a preprint server ('medRxiv', 'SSRN Electronic Journal'), its
    DOI one a server registers (normalised, '10.1101/2020.04.01.20050203') or its publication
    type says so."""
    venue = fold(unmarked(journal))
    kind = fold(text(publication_type))
    return bool(
        (venue and rules.preprint_venue.search(venue))
        or (doi and rules.preprint_doi.search(doi))
        or (kind and rules.preprint_publication_type.search(kind))
    )


def is_thesis(journal: object, publication_type: object, rules: Rules) -> bool:
    """A dissertation or its Dissertation Abstracts entry (venue or publication type)."""
    venue, kind = fold(unmarked(journal)), fold(text(publication_type))
    return bool((venue and rules.thesis.search(venue)) or (kind and rules.thesis.search(kind)))


def venue_years(journal: object) -> frozenset:
    """The years a venue name carries ('AMCIS 2017 Proceedings' -> {2017}): the edition of a
    conference."""
    return frozenset(int(y) for y in YEAR.findall(text(journal)))


def is_recurring_title(title: Title, rules: Rules) -> bool:
    """A title that recurs in every issue or edition of a serial ('Editor's Comments',
    'Introduction to the Minitrack on ...'): the title alone does not name one publication."""
    return bool(rules.recurring_title.search(title.words))


# ---- volume, pages, year ----------------------------------------------------------------


def normalise_volume(value: object) -> str:
    """The volume number: '30a' -> '30', '9 Suppl 23' -> '9', '21 (Pt 2)' -> '21', 'Drug
    Discovery. 9' -> '9'; '' when the
    field holds no volume ('Suppl 2', 'Apr 25 [Epub ahead of print]') or a broken one: '1)' is what
    is left of '23(Suppl. 1)' in some Embase exports of conference supplements, not volume 1."""
    volume = fold(text(value))
    match = VOLUME.match(volume)
    if match:
        return str(int(match.group(1)))
    # 'Drug Discovery. 9': the end of a journal name that an export split into the volume
    trailing = VOLUME_AFTER_TEXT.match(volume)
    return str(int(trailing.group(1))) if trailing else ""


def normalise_issue(value: object) -> str:
    """The issue as a comparison key: '3' -> '3', '14, Sp. Iss. SI' -> '14', 'Suppl. 1',
    'SUPPL. 1', 'S1' -> 's1', 'SUPPL' -> 's'; '' when unknown or not readable."""
    issue = fold(text(value)).strip()
    if not issue:
        return ""
    supplement = SUPPLEMENT.search(issue)
    if supplement:
        number = supplement.group(1) or supplement.group(2) or ""
        return "s" + str(int(number)) if number else "s"
    match = ISSUE_NUMBER.match(issue)
    if not match:
        return ""
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else first
    return f"{first}-{last}" if last > first else str(first)  # '11-12': a double issue


def issues_differ(a: str, b: str, maximum: int = 10**9) -> bool:
    """Two normalised issues that cannot be one issue: both numbers and different, or two
    numbered supplements ('s1' / 's2'). A supplement against a plain number ('s1' / '1') is
    left open: exports disagree on how they write supplements, and so are numbers above
    `maximum`."""
    if not a or not b or a == b:
        return False
    if a[0] == "s" or b[0] == "s":
        return a[0] == b[0] == "s" and len(a) > 1 and len(b) > 1
    (a1, _, a2), (b1, _, b2) = a.partition("-"), b.partition("-")
    if max(int(a2 or a1), int(b2 or b1)) > maximum:
        return False  # not an issue of a volume: a running number or an export's record number
    return int(a2 or a1) < int(b1) or int(b2 or b1) < int(a1)  # no issue in common


@dataclass(frozen=True)
class Pages:
    """A page field: its ranges ('233-8, 230-5' -> (233, 238), (230, 235)); the last page of a
    range is None when not given. `elocator` marks an article number such as 'e12724' or BMJ's
    'c1804' (one letter, other than 's' for a supplement page or 'p' for 'page', and 3 digits
    or more)."""

    ranges: tuple[tuple[int, int | None], ...]
    elocator: bool = False
    # End pages of ranges written backwards ('2297-2108' for 2097-2108: a typo in the first
    # page); the end page still locates the article.
    reversed_ends: tuple[int, ...] = ()
    # The first pages of the ranges (given by `_parse_pages`, which builds every Pages).
    firsts: frozenset = field(default=frozenset(), repr=False, compare=False)

    @property
    def known(self) -> bool:
        return bool(self.ranges)

    @property
    def last(self) -> int | None:
        """The last page of the first range."""
        return self.ranges[0][1] if self.ranges else None


NO_PAGES = Pages(())


def pages_relation(a: Pages, b: Pages) -> str:
    """'same' (a first page in common), 'overlap' (ranges overlap, e.g. '488' / '487-488'),
    'different' (no page in common) or 'unknown' (a side missing, or an article number
    against a page range: 'e12724' / '1-6')."""
    if not a.ranges or not b.ranges:
        return "unknown"
    if a.firsts & b.firsts:
        return "same"
    if a.elocator != b.elocator:
        return "unknown"
    for x, y in ((a, b), (b, a)):
        if x.reversed_ends and (y.last in x.reversed_ends or y.firsts & set(x.reversed_ends)):
            return "overlap"  # '2297-2108' / '2097-2108': the same end page, a typo in the first
    for first_a, last_a in a.ranges:
        for first_b, last_b in b.ranges:
            if first_a <= (last_b or first_b) and first_b <= (last_a or first_a):
                return "overlap"
    return "different"


def _date_readings(part: str) -> list[tuple[int, int | None]] | None:
    """The page ranges a spreadsheet may have turned into a date, each reading that fits
    (None when `part` is not such a date). '01-Jun' was 1-6; '21-Aug' was 21-8 (= 21-28, read as
    21 August) or 8-21 (read as August 21); 'Aug-21' was 8-21 (read as August 2021)."""
    day_month = DAY_MONTH_PAGE.match(part)
    if day_month:
        day, month = int(day_month.group(1)), MONTHS[day_month.group(2)]
        if day < month:
            return [(day, month)]
        readings = [(month, day)] if day > month else [(day, None)]
        if day > month and month < 10:  # '21-8': the end page given by its last digit
            end = day - day % 10 + month
            readings.insert(0, (day, end + 10 if end <= day else end))
        return readings
    month_year = MONTH_YEAR_PAGE.match(part)
    if month_year:
        month, year = MONTHS[month_year.group(1)], int(month_year.group(2))
        return [(month, year if year > month else None)]
    return None


@functools.lru_cache(maxsize=65536)
def _parse_pages(value: str) -> Pages:
    ranges = []
    elocator = False
    reversed_ends = []
    cleaned = fold(value).replace("\u2013", "-").replace("\u2014", "-")  # en and em dashes
    for part in PAGE_SEPARATOR.split(cleaned.strip(" \"'")):
        part = part.strip().rstrip("-&").strip()  # WoS '95-+', '872-&': continued later
        # a date ('21-Aug', 'Aug-21') begins or ends with a letter
        dated = part and (part[0].isalpha() or part[-1].isalpha())
        dates = _date_readings(part) if dated else None
        if dates:  # every reading counts: a first page in common is enough to be the same
            ranges.extend(dates)
            continue
        match = PAGE_PART.match(part)
        if not match:
            continue
        first = int(match.group(2))
        if not ranges:
            prefix = match.group(1)
            elocator = len(prefix) == 1 and prefix not in "sp" and len(match.group(2)) >= 3
        last = None
        if match.group(4):
            end_digits = match.group(4)
            start_digits = match.group(2).lstrip("0") or "0"
            if len(end_digits) < len(start_digits):  # '288-97' -> 297
                end_digits = start_digits[: len(start_digits) - len(end_digits)] + end_digits
            last = int(end_digits) if int(end_digits) > first else None
            if int(end_digits) < first and len(match.group(4)) >= len(start_digits):
                reversed_ends.append(int(end_digits))  # '2297-2108'
        ranges.append((first, last))
    if not ranges:
        return NO_PAGES
    firsts = frozenset(first for first, _ in ranges)
    return Pages(tuple(ranges), elocator, tuple(reversed_ends), firsts)


def parse_pages(value: object) -> Pages:
    return _parse_pages(text(value))


def parse_year(value: object) -> int | None:
    match = YEAR.search(text(value))
    return int(match.group(1)) if match else None

"""Deduplication of bibliographic records: the same article exported by several databases, and
by successive search windows of a living review, becomes one record.

Staged matching (each merge says which stage made it and on what evidence):
  reviewer    a pair a reviewer marked `same` in extraction/dedup_decisions.tsv
  identifier  the same DOI, PMID, WoS UT or Embase accession
  exact       the same normalised title, first author, year (+-1 only with volume and pages),
              and the same journal (or volume and first page)
  fuzzy       titles that differ by little (rapidfuzz) with the same conditions
  citation    the same first author, year, volume and first page in the same journal, with
              titles that are close, or translated (then the whole page range must match)
  reprint     the same long title and authors in the next volume a year later (joins last)
  (a year apart only within one volume, or for a conference paper and its proceedings entry;
  two records without journal, volume and pages merge on the same long title, year, authors)
Related versions: a preprint and its published version are never merged; they are listed
(`Result.related`, related_versions.tsv). Issue 23 added: a supplement number exported as the
volume is that supplement's volume; a short title and its long form on one page range; a
transliterated journal name with the same volume and issue; dissertations, one abstract in two
meeting supplements and weaker reprints listed for reviewers.
Guards: two records with different DOIs, different volumes, different pages in the same
volume, years more than one apart, or a notice (erratum, retraction, comment, reply) and
another kind of record are never merged automatically, not even through a third record (a
weak conflict, other volume or pages of a conference or supplement record, does not split
records that agree strongly otherwise: `weak_conflict`).
Page fields that differ without proving anything (article number / page, a range typed
backwards, online-first pagination, conference abstract numbers) do not count as different.
Pairs that come close without proof are listed for reviewers instead.

Candidate pairs come from blocks (shared identifier, title start, title end, first author and
year, volume and first page); a block larger than `block_max` is compared in title order
within a sliding window, so the cost grows near-linearly with the number of records.

Living review: records are processed window by window (window ids sort by date); a record of a
window is compared with the records of its own and of every earlier window, and never joins two
clusters that earlier windows kept apart. A cluster's id is its earliest record's id.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz.distance import Indel

from reviewflow.core.records import RECORD_COLUMNS, normalise_doi  # the record schema
from reviewflow.dedup.prep import (
    Pages,
    Rules,
    Title,
    author_families,
    author_words,
    fold,
    is_meeting,
    is_preprint,
    is_recurring_title,
    is_supplement,
    is_thesis,
    issues_differ,
    journals_compatible,
    load_rules,
    normalise_identifier,
    normalise_issue,
    normalise_volume,
    pages_relation,
    parse_pages,
    parse_year,
    supplement_numbers,
    title_and_notice,
    unmarked,
    venue_years,
)

# Fields that make a record "complete"; the most complete member gives its fields to the cluster.
DESCRIPTIVE_COLUMNS = [
    "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract",
    "publication_type", "language", "keywords",
]  # fmt: skip
IDENTIFIER_COLUMNS = ["doi", "pmid", "wos_ut", "embase_id"]
# A reprint (the same title and authors in the next volume a year later) joins last: a record
# that other evidence places in the cluster is never kept out by the reprint's other volume.
STAGES = ("reviewer", "identifier", "exact", "fuzzy", "citation", "reprint")
STAGE_RANK = {stage: rank for rank, stage in enumerate(STAGES)}
STUDY_PREFIX = "study:"
# Guards that show two different publications: such pairs are not even listed for reviewers.
DIFFERENT_VOLUMES = "different volumes"
DIFFERENT_ISSUES = "different issues of the same volume"
YEARS_APART = "years more than one apart"
TWO_STUDIES = "two included studies"
PREPRINT_VS_PUBLISHED = "preprint vs published version"
DISTINCT_PUBLICATIONS = (DIFFERENT_VOLUMES, YEARS_APART, TWO_STUDIES)


# ---- prepared records ----------------------------------------------------------------------


@dataclass
class Prepared:
    """The records in canonical order (window, record_id), with their normalised fields."""

    ids: list[str]
    windows: list[str]
    titles: list[Title]
    families: list[tuple[str, ...]]
    name_words: list[frozenset]  # every word of the author names (for garbled name orders)
    years: list[int | None]
    journals: list[str]
    volumes: list[str]
    issues: list[str]
    pages: list[Pages]
    dois: list[str]
    pmids: list[str]
    wos: list[str]
    embase: list[str]
    notices: list[str]
    meetings: list[bool]  # a conference record (venue or publication type)
    supplements: list[bool]  # in a journal supplement (issue or volume says so)
    supplement_numbers: list[frozenset]  # numbers of a supplement's issue field ('1 SUPPL. 1')
    preprints: list[bool]  # a preprint (server venue, DOI or publication type)
    placed: list[bool]  # placed in a venue: a journal name or a volume
    theses: list[bool]  # a dissertation or its Dissertation Abstracts entry
    venue_years: list[frozenset]  # years in the venue name (a conference's edition)
    recurring: list[bool]  # a title that recurs in every issue ('Editor's Comments')
    studies: list[str]  # study_id for an included study's pseudo-record, else ''
    position: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


def prepare(records: pd.DataFrame, rules: Rules) -> Prepared:
    """Normalise the fields of `records` (reviewflow record schema; missing columns are empty)."""
    frame = records.copy()
    for column in RECORD_COLUMNS + ["study_id"]:
        if column not in frame.columns:
            frame[column] = ""
    frame = frame.fillna("").astype(str)
    frame = frame.sort_values(["window", "record_id"], kind="stable").reset_index(drop=True)
    col = {c: frame[c].tolist() for c in frame.columns}

    def each(function, *columns: str) -> list:
        """`function` of every record's values of `columns`, computed once per distinct value
        (database copies repeat titles, journals and author lists)."""
        values = list(zip(*(col[c] for c in columns), strict=True))
        done = {value: function(*value) for value in set(values)}
        return [done[value] for value in values]

    titles_notices = each(
        lambda t, kind: title_and_notice(t, kind, rules), "title", "publication_type"
    )
    titles = [title for title, _ in titles_notices]
    dois = each(normalise_doi, "doi")
    prepared = Prepared(
        ids=col["record_id"],
        windows=col["window"],
        titles=titles,
        families=each(lambda a: author_families(a, rules), "authors"),
        name_words=each(author_words, "authors"),
        years=each(parse_year, "year"),
        journals=each(lambda j: fold(unmarked(j)), "journal"),
        volumes=each(normalise_volume, "volume"),
        issues=each(normalise_issue, "issue"),
        pages=each(parse_pages, "pages"),
        dois=dois,
        pmids=each(normalise_identifier, "pmid"),
        wos=each(normalise_identifier, "wos_ut"),
        embase=each(normalise_identifier, "embase_id"),
        notices=[notice for _, notice in titles_notices],
        meetings=each(lambda j, kind: is_meeting(j, kind, rules), "journal", "publication_type"),
        supplements=each(is_supplement, "volume", "issue"),
        supplement_numbers=each(supplement_numbers, "volume", "issue"),
        preprints=each(
            lambda j, kind, doi: is_preprint(j, kind, normalise_doi(doi), rules),
            "journal",
            "publication_type",
            "doi",
        ),
        placed=each(lambda j, v: bool(j.strip() or v.strip()), "journal", "volume"),
        theses=each(lambda j, kind: is_thesis(j, kind, rules), "journal", "publication_type"),
        venue_years=each(venue_years, "journal"),
        recurring=[is_recurring_title(t, rules) for t in titles],
        studies=col["study_id"],
    )
    prepared.position = {record_id: i for i, record_id in enumerate(prepared.ids)}
    return prepared


# ---- comparing two records -----------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What the rules say of one pair: merge (with the stage) or uncertain (with the reason)."""

    i: int
    j: int
    merge: bool
    stage: str
    reason: str
    score: float
    relation: str = ""  # a related version (never merged): 'preprint and published version'

    @property
    def sort_key(self) -> tuple:
        return (STAGE_RANK[self.stage], -self.score, self.i, self.j)


def title_similarity(a: Title, b: Title) -> tuple[float, float]:
    """(similarity of the whole titles, best similarity also counting title parts in other
    languages), 0-100. One title may be the other plus a subtitle or cut short by a database."""
    if not a.compact or not b.compact:
        return 0.0, 0.0
    if a.compact == b.compact:
        return 100.0, 100.0
    whole = Indel.normalized_similarity(a.words, b.words) * 100
    short, long = (a.words, b.words) if len(a.words) <= len(b.words) else (b.words, a.words)
    if len(short) >= 50 and len(long) > len(short):
        prefix = Indel.normalized_similarity(short, long[: len(short)]) * 100
        whole = max(whole, prefix)
    best = whole
    if a.parts or b.parts:
        for x in a.parts or (a.words,):
            for y in b.parts or (b.words,):
                best = max(best, Indel.normalized_similarity(x, y) * 100)
    return whole, best


def span(pages: Pages) -> int:
    """How many pages the first range covers (0 when unknown or one page)."""
    if not pages.ranges or pages.last is None:
        return 0
    return pages.last - pages.ranges[0][0]


def _disagree(x: set, y: set) -> bool:
    return bool(x) and bool(y) and not (x <= y or y <= x)


def numbers_conflict(a: Title, b: Title) -> bool:
    """'Part I' / 'Part II', 'phase 2' / 'phase 3': the numbers in two titles disagree; so do
    one-letter labels ('Factor H' / 'Factor I', 'hepatitis B' / 'hepatitis C')."""
    if a.numbers != b.numbers and _disagree(set(a.numbers), set(b.numbers)):
        return True
    letters_a = {w for w in a.words.split() if len(w) == 1 and w != "a"}
    letters_b = {w for w in b.words.split() if len(w) == 1 and w != "a"}
    return _disagree(letters_a, letters_b)


def _same_family(x: str, y: str) -> bool:
    if x == y:
        return True
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if len(short) >= 4 and (long.startswith(short) or long.endswith(short)):
        return True  # 'paschoalini' / 'paschoalinimda', 'brenna' / 'fernandesbrenna'
    return len(short) >= 5 and Indel.normalized_similarity(x, y) >= 0.85  # 'kondou' / 'kondo'


def authors_agree(
    a: tuple[str, ...],
    b: tuple[str, ...],
    name_words_a: frozenset | None = None,
    name_words_b: frozenset | None = None,
) -> bool | None:
    """True when the first authors are the same person or the author lists largely overlap;
    None when one list is missing (group authors such as 'ALTS Group' are left out of the
    lists); else False."""
    if not a or not b:
        return None
    if _same_family(a[0], b[0]):
        return True
    x, y = set(a), set(b)
    common = len(x & y)
    if common and common * 2 >= min(len(x), len(y)):
        return True  # 'Chen, L; Yang, B' / 'Che, L; Yang, B'
    if name_words_a is not None and name_words_b is not None:
        # Names split in the wrong place ('Luis Ferreira, Santos A' for 'Santos, A L'): most
        # family names of one list appear somewhere in the other's names.
        common = max(len(x & name_words_b), len(y & name_words_a))
        if common >= 2 and common * 2 >= min(len(x), len(y)):
            return True
    return False


def proof_of_two(p: Prepared, x: int, y: int) -> str:
    """A conflict that proves two publications, whatever else the records share ('' if none):
    two different DOIs, a notice (erratum, retraction, comment, reply) against another kind of
    record, two included studies, a preprint against a record placed in a journal."""
    if p.dois[x] and p.dois[y] and p.dois[x] != p.dois[y]:
        return "different DOIs"
    if p.notices[x] != p.notices[y]:
        return f"{p.notices[x] or 'article'} vs {p.notices[y] or 'article'}"
    if preprint_and_published(p, x, y):
        return PREPRINT_VS_PUBLISHED
    if p.studies[x] and p.studies[y]:
        return TWO_STUDIES
    return ""


def preprint_and_published(p: Prepared, x: int, y: int) -> bool:
    """One record a preprint, the other not and placed in a venue (a journal name or volume):
    two versions of one work, never one record."""
    if p.preprints[x] == p.preprints[y]:
        return False
    return p.placed[y] if p.preprints[x] else p.placed[x]


def supplement_volume(p: Prepared, x: int, y: int) -> bool:
    """One record in a supplement ('58', issue '1 SUPPL. 1'), the other with that supplement's
    number as its volume ('1'), and an issue that does not contradict it (none, a supplement
    or the same number): an export's way of writing the supplement, not another volume."""
    for a, b in ((x, y), (y, x)):
        number = p.volumes[b]
        if number and number != p.volumes[a] and number in p.supplement_numbers[a]:
            issue = p.issues[b]
            if not issue or issue == number or issue[0] == "s":
                if (
                    not p.supplement_numbers[b]
                    or p.supplement_numbers[b] <= p.supplement_numbers[a]
                ):
                    return True
    return False


def same_volume(p: Prepared, x: int, y: int) -> bool:
    """The same volume: equal, or one the supplement number of the other (`supplement_volume`)."""
    vx, vy = p.volumes[x], p.volumes[y]
    return bool(vx and vy) and (vx == vy or supplement_volume(p, x, y))


def abstract_pages(p: Prepared, x: int, y: int, rules: Rules) -> bool:
    """Different pages that are weak evidence: a conference record or a supplement on either
    side, the same volume, both page fields abstract-sized (`abstract_pages_max`) and issues
    that do not differ. Embase gives abstract numbers where WoS gives pages ('22' / '52')."""
    th = rules.thresholds
    if not (p.meetings[x] or p.meetings[y] or p.supplements[x] or p.supplements[y]):
        return False
    if not same_volume(p, x, y):
        return False
    longest = th["abstract_pages_max"]
    return (
        span(p.pages[x]) <= longest
        and span(p.pages[y]) <= longest
        and not issues_differ(p.issues[x], p.issues[y], th["issue_max"])
    )


def online_first_pages(p: Prepared, x: int, y: int) -> bool:
    """One record without a volume paginated from page 1 (an article online ahead of print,
    '1-6'), the other with a volume: the two page fields are no evidence against each other."""
    for a, b in ((x, y), (y, x)):
        if not p.volumes[a] and p.volumes[b] and p.pages[a].known and 1 in p.pages[a].firsts:
            return True
    return False


def page_relation(p: Prepared, x: int, y: int, rules: Rules) -> str:
    """`pages_relation` of the two records, with different pages that prove nothing (abstract
    numbers of a conference, online-first pagination) read as 'unknown'."""
    relation = pages_relation(p.pages[x], p.pages[y])
    if relation == "different" and (abstract_pages(p, x, y, rules) or online_first_pages(p, x, y)):
        return "unknown"
    return relation


def citation_conflict(p: Prepared, x: int, y: int, rules: Rules) -> str:
    """A citation that places the two records in different publications ('' if none): other
    volumes, other pages in the same volume, other issues of one volume when no pages tell
    the records apart, years more than one apart. Exports
    garble these fields, so a strong identifier outweighs them (see `strong_link`)."""
    vx, vy = p.volumes[x], p.volumes[y]
    volume_equal = vx == vy or supplement_volume(p, x, y)
    if not volume_equal:
        if vx and vy:
            return DIFFERENT_VOLUMES
    else:
        pages = page_relation(p, x, y, rules)
        if vx and pages == "different":
            return "different pages in the same volume"
        # Nothing else tells apart "Editor's Comments" of issues 3 and 4 of one volume (both
        # without pages). With pages in common the issue is more likely garbled than different.
        issue_max = rules.thresholds["issue_max"]
        if pages == "unknown" and issues_differ(p.issues[x], p.issues[y], issue_max):
            return DIFFERENT_ISSUES
    yx, yy = p.years[x], p.years[y]
    if yx and yy and abs(yx - yy) > 1:
        return YEARS_APART
    return ""


def shared_identifier(p: Prepared, i: int, j: int) -> str:
    """The name of an identifier the two records share ('' if none)."""
    for name, values in (("PMID", p.pmids), ("WoS UT", p.wos), ("Embase id", p.embase)):
        if values[i] and values[i] == values[j]:
            return name
    if p.dois[i] and p.dois[i] == p.dois[j]:
        return "DOI"
    return ""


def titles_compatible(p: Prepared, x: int, y: int, minimum: float) -> bool:
    """Close enough to name one article: similar (>= `minimum`), one title the start of the
    other ('Chronic cough' of 'Chronic cough: a review of ...'), or every word of a short title
    of three words or more in the long one; True when a title is missing."""
    a, b = p.titles[x], p.titles[y]
    if not a.compact or not b.compact:
        return True
    if title_similarity(a, b)[1] >= minimum:
        return True
    short, long = (a, b) if len(a.compact) <= len(b.compact) else (b, a)
    short_words = short.words.split()
    return long.compact.startswith(short.compact) or (
        len(short_words) >= 3 and set(short_words) <= set(long.words.split())
    )


def strong_link(p: Prepared, x: int, y: int, rules: Rules) -> str:
    """The identifier the two records share when it outweighs a garbled citation: the same
    PMID, DOI, WoS UT or Embase accession with compatible titles ('' if none)."""
    identifier = shared_identifier(p, x, y)
    if not identifier:
        return ""
    minimum = rules.thresholds["doi_title_min" if identifier == "DOI" else "id_title_min"]
    return identifier if titles_compatible(p, x, y, minimum) else ""


def hard_conflict(p: Prepared, x: int, y: int, rules: Rules | None = None) -> str:
    """Why records x and y can never be merged automatically ('' if nothing forbids it): a
    proof of two publications, or a citation conflict that no strong identifier outweighs."""
    reason = proof_of_two(p, x, y)
    if reason:
        return reason
    rules = rules or load_rules()
    reason = citation_conflict(p, x, y, rules)
    if reason and (strong_link(p, x, y, rules) or same_reprint(p, x, y, rules)):
        return ""
    return reason


def related_version(p: Prepared, i: int, j: int, rules: Rules, whole: float) -> Verdict | None:
    """A preprint and its published version (`preprint_and_published`): titles that agree at
    least `preprint_title_min`, authors that agree, the article not dated before the
    preprint's year - 1 and at most `related_years_max` years after it. Never merged."""
    th = rules.thresholds
    if whole < th["preprint_title_min"] or numbers_conflict(p.titles[i], p.titles[j]):
        return None
    if not authors_agree(p.families[i], p.families[j], p.name_words[i], p.name_words[j]):
        return None
    preprint, article = (i, j) if p.preprints[i] else (j, i)
    year_pre, year_art = p.years[preprint], p.years[article]
    if year_pre and year_art and not -1 <= year_art - year_pre <= th["related_years_max"]:
        return None
    if p.notices[i] or p.notices[j] or (p.studies[i] and p.studies[j]):
        return None
    return Verdict(i, j, False, "fuzzy", PREPRINT_VS_PUBLISHED, whole, relation="preprint")


def judge(p: Prepared, i: int, j: int, rules: Rules) -> Verdict | None:
    """Apply the stages and guards to one candidate pair."""
    whole, best = title_similarity(p.titles[i], p.titles[j])
    if preprint_and_published(p, i, j):
        return related_version(p, i, j, rules, whole)
    identifier = shared_identifier(p, i, j)
    if not identifier:
        return judge_citation(p, i, j, rules, whole, best, None)
    guard = hard_conflict(p, i, j, rules)
    if guard:
        return Verdict(i, j, False, "identifier", f"same {identifier} but {guard}", whole)
    if strong_link(p, i, j, rules):
        return Verdict(i, j, True, "identifier", f"same {identifier}", whole)
    # Titles too different for the identifier alone: the other rules decide (a translated
    # title with the same full citation), else the reviewers do.
    verdict = judge_citation(p, i, j, rules, whole, best, guard)
    if verdict is not None and verdict.merge:
        return verdict
    return Verdict(i, j, False, "identifier", f"same {identifier}, titles differ", whole)


def title_prefix(p: Prepared, i: int, j: int, rules: Rules) -> bool:
    """One title the start of the other, or every word of it (three words or more) in the
    other, the short one at least `short_title_chars` long and neither a recurring title: a
    proceedings' or magazine's short title against its long form."""
    a, b = p.titles[i], p.titles[j]
    short, long = (a, b) if len(a.compact) <= len(b.compact) else (b, a)
    if len(short.compact) < rules.thresholds["short_title_chars"] or short.compact == long.compact:
        return False
    if p.recurring[i] or p.recurring[j]:
        return False
    if long.compact.startswith(short.compact):
        return True
    words = short.words.split()
    return len(words) >= 3 and set(words) <= set(long.words.split())


def listed_despite_citation(
    p: Prepared, i: int, j: int, rules: Rules, whole: float, authors: bool | None
) -> str:
    """Why a pair whose citations say two publications is still listed for reviewers ('' if
    it is not): the same long title by the same authors within `related_years_max` years, and
    one record a dissertation (its Dissertation Abstracts entry), or both conference or
    supplement records (one abstract in two journals' meeting supplements), or the second in
    the next volume of the same journal a year later (a reprint)."""
    th = rules.thresholds
    if whole < th["title_same"] or not authors or not long_title(p, i, j, rules):
        return ""
    year_i, year_j = p.years[i], p.years[j]
    if year_i is None or year_j is None or abs(year_i - year_j) > th["related_years_max"]:
        return ""
    if p.theses[i] or p.theses[j]:
        return "a dissertation and its abstract entry?"
    abstracts = (p.meetings[i] or p.supplements[i]) and (p.meetings[j] or p.supplements[j])
    journals = p.journals[i] and p.journals[j]
    if abstracts and journals and not journals_compatible(p.journals[i], p.journals[j], rules):
        return "one abstract in two journals' meeting supplements?"
    if reprint(p, i, j, rules):
        return "reprint a year later in the next volume?"
    return ""


def same_reprint(p: Prepared, i: int, j: int, rules: Rules) -> bool:
    """A reprint (`reprint`) with strong evidence: the same long title word for word and the
    same list of two authors or more, in the same order. It outweighs the other volume and
    year, as a strong identifier does."""
    families = p.families[i]
    if len(families) < 2 or families != p.families[j]:
        return False
    if p.titles[i].compact != p.titles[j].compact or not long_title(p, i, j, rules):
        return False
    return reprint(p, i, j, rules)


def reprint(p: Prepared, i: int, j: int, rules: Rules) -> bool:
    """The next volume of the same journal a year later, and page ranges of one length (a
    reprint reproduces the article); neither record an abstract (conference, supplement, or
    abstract-sized pages: an abstract and the article a year later are two publications)."""
    vi, vj = p.volumes[i], p.volumes[j]
    year_i, year_j = p.years[i], p.years[j]
    if year_i is None or year_j is None or not (vi.isdigit() and vj.isdigit()):
        return False
    if (int(vj) - int(vi)) * (year_j - year_i) != 1 or abs(year_i - year_j) != 1:
        return False
    if p.meetings[i] or p.meetings[j] or p.supplements[i] or p.supplements[j]:
        return False
    span_i, span_j = span(p.pages[i]), span(p.pages[j])
    if min(span_i, span_j) <= rules.thresholds["abstract_pages_max"]:
        return False
    if abs(span_i - span_j) > max(1, max(span_i, span_j) // 5):
        return False
    journal_i, journal_j = p.journals[i], p.journals[j]
    return bool(journal_i and journal_j) and journals_compatible(journal_i, journal_j, rules)


def long_title(p: Prepared, i: int, j: int, rules: Rules) -> bool:
    """Both titles at least `proceedings_title_chars` long and neither a recurring one."""
    shortest = min(len(p.titles[i].compact), len(p.titles[j].compact))
    recurring = p.recurring[i] or p.recurring[j]
    return shortest >= rules.thresholds["proceedings_title_chars"] and not recurring


def bare_records(p: Prepared, i: int, j: int, rules: Rules, whole: float) -> bool:
    """Two records with neither journal nor volume nor pages (trial registrations, reports)
    and the same long title: nothing places them apart, so the title, year and authors
    decide."""
    for k in (i, j):
        if p.journals[k] or p.volumes[k] or p.pages[k].known:
            return False
    return whole == 100.0 and long_title(p, i, j, rules)


def proceedings_year(
    p: Prepared, i: int, j: int, rules: Rules, whole: float, journal: bool | None
) -> bool:
    """A conference paper and its proceedings entry dated a year apart: two conference records
    without volume, compatible venues that name no different editions, a long, non-recurring,
    nearly identical title."""
    year_i, year_j = p.years[i], p.years[j]
    if year_i is None or year_j is None or abs(year_i - year_j) != 1:
        return False
    if not (p.meetings[i] and p.meetings[j]) or p.volumes[i] or p.volumes[j] or not journal:
        return False
    editions_i, editions_j = p.venue_years[i], p.venue_years[j]
    if editions_i and editions_j and not editions_i & editions_j:
        return False
    return whole >= rules.thresholds["title_same"] and long_title(p, i, j, rules)


def retitled(p: Prepared, i: int, j: int, rules: Rules) -> bool:
    """A letter or article that the journal retitled, with one record exported before it had
    a citation: compatible journals, one record without volume and pages, the other with
    them, and the same first `retitled_authors` authors in the same order (listed for
    reviewers, never merged: the titles differ)."""
    k = rules.thresholds["retitled_authors"]
    if p.families[i][:k] != p.families[j][:k] or len(p.families[i]) < k:
        return False
    bare_i = not p.volumes[i] and not p.pages[i].known
    bare_j = not p.volumes[j] and not p.pages[j].known
    if bare_i == bare_j or not (p.journals[i] and p.journals[j]):
        return False
    return journals_compatible(p.journals[i], p.journals[j], rules)


def judge_citation(
    p: Prepared, i: int, j: int, rules: Rules, whole: float, best: float, guard: str | None
) -> Verdict | None:
    """The exact, fuzzy and citation stages for a pair without a strong identifier (`guard`:
    the pair's `hard_conflict`, None to compute it once the pair proves close)."""
    th = rules.thresholds
    has_titles = bool(p.titles[i].compact and p.titles[j].compact)
    year_i, year_j = p.years[i], p.years[j]
    same_year = year_i is not None and year_i == year_j
    volume_equal = same_volume(p, i, j)
    pages = page_relation(p, i, j, rules)
    # A range of more pages than an article has ('S1-S250') locates a supplement, not a record.
    located = span(p.pages[i]) <= th["article_pages_max"] >= span(p.pages[j])
    citation_equal = volume_equal and pages == "same" and located
    last_i, last_j = p.pages[i].last, p.pages[j].last
    full_range = pages == "same" and located and last_i is not None and last_i == last_j
    # Journal, volume, issue and the whole page range: one article, whatever its title's
    # language ('Akute Meningitis' / 'Acute meningitis').
    issue_equal = bool(p.issues[i]) and p.issues[i] == p.issues[j]
    full_citation = citation_equal and full_range and issue_equal
    # Titles that differ and issues that differ: two articles on the same pages of two issues
    # (an indexing error may even copy one abstract to both); nothing else makes them close.
    other_issue = issues_differ(p.issues[i], p.issues[j], th["issue_max"])
    close = (
        whole >= th["title_uncertain"]
        or (citation_equal and best >= th["title_translated"] and not other_issue)
        or full_citation
    )
    # A short title and its long form ('Chronic cough' / 'Chronic cough: a review of ...')
    prefix = (close or pages in ("same", "overlap")) and title_prefix(p, i, j, rules)
    close = close or prefix
    if not close and has_titles and same_year and retitled(p, i, j, rules):
        if guard is None:
            guard = hard_conflict(p, i, j, rules)
        reason = "titles differ; same authors, journal and year, one record without citation"
        return None if guard else Verdict(i, j, False, "fuzzy", reason, whole)
    if not close or not has_titles:
        return None
    if guard is None:
        guard = hard_conflict(p, i, j, rules)
    authors = authors_agree(p.families[i], p.families[j], p.name_words[i], p.name_words[j])

    def ask(reason: str) -> Verdict | None:
        """Not merged: listed for reviewers when the titles are (nearly) the same."""
        if whole >= th["title_same"] or (whole >= th["title_uncertain"] and authors is not False):
            return Verdict(i, j, False, "fuzzy", reason, whole)
        return None

    if guard:
        if guard in DISTINCT_PUBLICATIONS:
            reason = listed_despite_citation(p, i, j, rules, whole, authors)
            return Verdict(i, j, False, "fuzzy", reason, whole) if reason else None
        return ask(guard)

    journal_i, journal_j = p.journals[i], p.journals[j]
    if journal_i and journal_j:
        journal = journals_compatible(journal_i, journal_j, rules)
    else:
        journal = None
    # The same volume and issue place two records in one journal whatever its name (a
    # transliterated name against the English one: 'Zhonghua Nei Ke Za Zhi' / 'Chinese Journal
    # of Internal Medicine'), unless their pages differ.
    same_issue = volume_equal and issue_equal and pages != "different"
    venue = (
        bool(journal)
        or citation_equal
        or same_issue
        or (journal is None and (volume_equal or pages in ("same", "overlap")))
        or bare_records(p, i, j, rules, whole)
    )
    # A year apart (online first / print) only within one volume, which pins the year; or a
    # conference paper and its proceedings entry.
    year_ok = (
        same_year
        or (year_i is not None and year_j is not None and volume_equal)
        or proceedings_year(p, i, j, rules, whole, journal)
    )
    short = min(len(p.titles[i].compact), len(p.titles[j].compact)) < th["short_title_chars"]

    blockers = []
    if pages == "different":
        blockers.append("different pages")
    if numbers_conflict(p.titles[i], p.titles[j]):
        blockers.append("different numbers in the titles")
    if not year_ok:
        blockers.append("year missing" if year_i is None or year_j is None else "years differ")
    if not venue:
        blockers.append("different journals" if journal is False else "venue unknown")
    if short and not (citation_equal or full_range):
        blockers.append("short title")
    reprint_blockers = {"different pages", "years differ"}
    if blockers and set(blockers) <= reprint_blockers and same_reprint(p, i, j, rules):
        return Verdict(i, j, True, "reprint", "", whole)  # in the next volume a year later
    if blockers:
        if prefix and authors and not numbers_conflict(p.titles[i], p.titles[j]):
            reason = "short title against its long form; " + "; ".join(blockers)
            return Verdict(i, j, False, "fuzzy", reason, whole)
        return ask("; ".join(blockers))

    # The same citation (journal, year, volume, first page) with close titles: the same
    # article even when one record has no authors (or a group as author).
    same_citation = citation_equal and same_year and (journal is not False or full_citation)
    if authors is False:
        return ask("different first authors")
    if authors is None:
        if same_citation and whole >= th["title_close"]:
            return Verdict(i, j, True, "citation", "", whole)
        return ask("authors missing")
    if whole == 100.0:
        return Verdict(i, j, True, "exact", "", whole)
    if whole >= th["title_same"]:
        return Verdict(i, j, True, "fuzzy", "", whole)
    if same_citation:
        if whole >= th["title_close"]:
            return Verdict(i, j, True, "citation", "", whole)
        if full_range and journal and best >= th["title_translated"] and not other_issue:
            return Verdict(i, j, True, "citation", "", whole)
        if full_citation and (journal or best >= th["title_translated"]):
            return Verdict(i, j, True, "citation", "", whole)
    if prefix and full_range and same_year and not other_issue:
        # the short title and its long form on the same whole page range, same authors
        return Verdict(i, j, True, "citation", "", whole)
    if prefix:
        return Verdict(i, j, False, "fuzzy", "short title against its long form", whole)
    return ask("titles differ")


def evidence(p: Prepared, i: int, j: int, rules: Rules) -> str:
    """A short account of what the two records share, for duplicates.tsv and reviewers."""
    whole, best = title_similarity(p.titles[i], p.titles[j])
    parts = [f"title {whole:.0f}" + (f" (parts {best:.0f})" if best > whole else "")]
    fi, fj = p.families[i], p.families[j]
    parts.append(f"first author {fi[0] if fi else '-'}/{fj[0] if fj else '-'}")
    parts.append(f"year {p.years[i] or '-'}/{p.years[j] or '-'}")
    if p.journals[i] and p.journals[j]:
        same = journals_compatible(p.journals[i], p.journals[j], rules)
        parts.append("journal " + ("compatible" if same else "different"))
    parts.append(f"volume {p.volumes[i] or '-'}/{p.volumes[j] or '-'}")
    if p.issues[i] or p.issues[j]:
        parts.append(f"issue {p.issues[i] or '-'}/{p.issues[j] or '-'}")
    first_i = p.pages[i].ranges[0][0] if p.pages[i].known else "-"
    first_j = p.pages[j].ranges[0][0] if p.pages[j].known else "-"
    parts.append(f"first page {first_i}/{first_j}")
    for name, values in (("doi", p.dois), ("pmid", p.pmids)):
        if values[i] or values[j]:
            parts.append(f"{name} {values[i] or '-'}/{values[j] or '-'}")
    return "; ".join(parts)


# ---- candidate pairs -----------------------------------------------------------------------


def block_keys(p: Prepared, i: int) -> Iterable[str]:
    for prefix, values in (("d", p.dois), ("p", p.pmids), ("w", p.wos), ("e", p.embase)):
        if values[i]:
            yield f"{prefix}:{values[i]}"
    compact = p.titles[i].compact
    if len(compact) >= 12:
        yield "t:" + compact[:24]
        yield "s:" + compact[-24:]
    for part in p.titles[i].parts:
        part_compact = part.replace(" ", "")
        if len(part_compact) >= 12:
            yield "t:" + part_compact[:24]
    families, year = p.families[i], p.years[i]
    if families and year:
        yield f"a:{families[0]}:{year}"
    if p.volumes[i]:
        for first in p.pages[i].firsts:
            yield f"v:{p.volumes[i]}:{first}"


def candidate_pairs(p: Prepared, rules: Rules) -> list[tuple[int, int]]:
    """Pairs of records worth comparing, each once, in canonical order."""
    block_max, window = rules.thresholds["block_max"], rules.thresholds["window"]
    blocks: dict[str, list[int]] = defaultdict(list)
    for i in range(len(p)):
        for key in block_keys(p, i):
            blocks[key].append(i)
    n = len(p)
    codes: set[int] = set()
    for members in blocks.values():
        if len(members) < 2:
            continue
        if len(members) <= block_max:
            for x, y in itertools.combinations(members, 2):
                codes.add(x * n + y if x < y else y * n + x)
        else:  # sorted neighbourhood: each record with its `window` neighbours in title order
            ordered = sorted(members, key=lambda k: (p.titles[k].compact, k))
            for pos, x in enumerate(ordered):
                for y in ordered[pos + 1 : pos + 1 + window]:
                    codes.add(x * n + y if x < y else y * n + x)
    return [divmod(code, n) for code in sorted(codes)]


# ---- clustering ----------------------------------------------------------------------------


def weak_conflict(p: Prepared, x: int, y: int, rules: Rules, reason: str) -> bool:
    """A conflict between two members of clusters being joined that does not split them: a
    citation conflict (other volume or pages, never a proof of two publications, other issues
    or years apart) where one record is a conference or supplement record (whose citations
    exports garble most), between records that agree strongly otherwise: nearly the same long
    title, the same authors, year and journal. The hard stops hold whatever agrees."""
    if reason not in (DIFFERENT_VOLUMES, "different pages in the same volume"):
        return False
    if not (p.meetings[x] or p.supplements[x] or p.meetings[y] or p.supplements[y]):
        return False
    if p.years[x] is None or p.years[x] != p.years[y] or not long_title(p, x, y, rules):
        return False
    if not (p.journals[x] and p.journals[y]):
        return False
    if not journals_compatible(p.journals[x], p.journals[y], rules):
        return False
    if title_similarity(p.titles[x], p.titles[y])[0] < rules.thresholds["title_same"]:
        return False
    if numbers_conflict(p.titles[x], p.titles[y]):
        return False
    return bool(authors_agree(p.families[x], p.families[y], p.name_words[x], p.name_words[y]))


class Clusters:
    """Union-find over records that refuses any join that would put two records with a hard
    conflict (or a reviewer's `different`) into one cluster."""

    def __init__(self, p: Prepared, different: set[tuple[int, int]], rules: Rules):
        self.p = p
        self.rules = rules
        self.parent = list(range(len(p)))
        self.members = {i: [i] for i in range(len(p))}
        self.different = different
        self.edges: list[tuple[int, int, str]] = []  # (i, j, stage): the spanning tree

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def conflict(self, ri: int, rj: int, *, automatic: bool) -> str:
        for x in self.members[ri]:
            for y in self.members[rj]:
                pair = (x, y) if x < y else (y, x)
                if pair in self.different:
                    return "a reviewer marked them different"
                if automatic:
                    reason = hard_conflict(self.p, x, y, self.rules)
                    if reason and not weak_conflict(self.p, x, y, self.rules, reason):
                        return f"{reason} ({self.p.ids[x]} / {self.p.ids[y]})"
        return ""

    def marked_different(self, ri: int, rj: int) -> tuple[int, int] | None:
        """A pair of members of the two clusters that a reviewer marked different, if any."""
        for x in self.members[ri]:
            for y in self.members[rj]:
                pair = (x, y) if x < y else (y, x)
                if pair in self.different:
                    return (x, y)
        return None

    def join(self, i: int, j: int, stage: str) -> None:
        ri, rj = self.find(i), self.find(j)
        if len(self.members[ri]) < len(self.members[rj]):
            ri, rj = rj, ri
        self.parent[rj] = ri
        self.members[ri].extend(self.members.pop(rj))
        self.edges.append((i, j, stage))

    def groups(self) -> list[list[int]]:
        return [sorted(m) for m in sorted(self.members.values(), key=min)]


class ContradictingDecisions(ValueError):
    """A reviewer's `same` pair would join records that a reviewer marked `different`."""

    def __init__(self, same: tuple[str, str], different: tuple[str, str]):
        self.same, self.different = same, different
        super().__init__(
            f"reviewer decisions contradict each other: {same[0]} = {same[1]} would join "
            f"records that a reviewer marked different ({different[0]} / {different[1]})"
        )


@dataclass
class Result:
    prepared: Prepared
    clusters: list[list[int]]  # record positions, each sorted (first = earliest)
    edges: list[tuple[int, int, str]]
    verdicts: dict[tuple[int, int], Verdict]
    uncertain: list[Verdict]
    candidates: int = 0  # pairs compared
    related: list[Verdict] = field(default_factory=list)  # related versions, one per clusters
    encoding: str = ""  # how the records file was decoded, when read from one


def deduplicate(
    records: pd.DataFrame,
    *,
    rules: Rules | None = None,
    same: Iterable[tuple[str, str]] = (),
    different: Iterable[tuple[str, str]] = (),
    window_order: Sequence[str] = (),
) -> Result:
    """Cluster `records` (reviewflow record schema; `study_id` marks pseudo-records of included
    studies). `same`/`different` are reviewer decisions on pairs of record ids. Windows are
    processed oldest first: in `window_order` (search_counts.json's order) when given, else
    sorted by id; records without a window (included studies) come before every window."""
    rules = rules or load_rules()
    p = prepare(records, rules)
    pos = p.position
    different_pairs = {tuple(sorted((pos[a], pos[b]))) for a, b in different}
    same_pairs = sorted(tuple(sorted((pos[a], pos[b]))) for a, b in same)
    clusters = Clusters(p, different_pairs, rules)

    verdicts: dict[tuple[int, int], Verdict] = {}
    candidates = candidate_pairs(p, rules)
    for i, j in candidates:
        if p.studies[i] and p.studies[j]:
            continue
        verdict = judge(p, i, j, rules)
        if verdict is not None:
            verdicts[(i, j)] = verdict

    known = [""] + [w for w in window_order if w]
    others = sorted(set(p.windows) - set(known))
    window_rank = {w: r for r, w in enumerate(known + others)}
    earliest_window = {i: window_rank[p.windows[i]] for i in range(len(p))}  # per cluster
    uncertain: list[Verdict] = []
    related: list[Verdict] = [v for v in verdicts.values() if v.relation]
    ordered = sorted(verdicts.values(), key=lambda v: (window_rank[p.windows[v.j]], v.sort_key))
    for v in ordered:
        if v.relation:
            continue
        if not v.merge:
            uncertain.append(v)
            continue
        ri, rj = clusters.find(v.i), clusters.find(v.j)
        if ri == rj:
            continue
        current = window_rank[p.windows[v.j]]
        if earliest_window[ri] < current and earliest_window[rj] < current:
            reason = "would join two clusters that earlier windows kept apart"
        else:
            reason = clusters.conflict(ri, rj, automatic=True)
        if reason:
            uncertain.append(Verdict(v.i, v.j, False, v.stage, reason, v.score))
            continue
        clusters.join(v.i, v.j, v.stage)
        root = clusters.find(v.i)
        earliest_window[root] = min(earliest_window[ri], earliest_window[rj])

    # A reviewer's `same` joins the two records' whole clusters, whatever the guards say.
    for i, j in same_pairs:
        ri, rj = clusters.find(i), clusters.find(j)
        if ri != rj:
            apart = clusters.marked_different(ri, rj)
            if apart:
                x, y = apart
                raise ContradictingDecisions((p.ids[i], p.ids[j]), (p.ids[x], p.ids[y]))
            clusters.join(i, j, "reviewer")

    # Uncertain pairs left for reviewers: one per pair of clusters, none already decided.
    kept: dict[tuple[int, int], Verdict] = {}
    for v in uncertain:
        ri, rj = clusters.find(v.i), clusters.find(v.j)
        if ri == rj or clusters.conflict(ri, rj, automatic=False):
            continue
        if p.studies[v.i] and p.studies[v.j]:
            continue
        key = (ri, rj) if ri < rj else (rj, ri)
        if key not in kept or v.sort_key < kept[key].sort_key:
            kept[key] = v
    pending = sorted(kept.values(), key=lambda v: (v.i, v.j))
    return Result(
        p,
        clusters.groups(),
        clusters.edges,
        verdicts,
        pending,
        len(candidates),
        related=related_clusters(clusters, related),
    )


def related_clusters(clusters: Clusters, related: list[Verdict]) -> list[Verdict]:
    """One related-version pair per pair of clusters (the closest titles), preprint first."""
    kept: dict[tuple[int, int], Verdict] = {}
    for v in related:
        ri, rj = clusters.find(v.i), clusters.find(v.j)
        if ri == rj:
            continue
        key = (ri, rj) if ri < rj else (rj, ri)
        if key not in kept or v.sort_key < kept[key].sort_key:
            kept[key] = v
    return sorted(kept.values(), key=lambda v: (v.i, v.j))


def duplicate_groups(result: Result) -> list[list[str]]:
    """The clusters of more than one record, as record ids (earliest first)."""
    p = result.prepared
    return [[p.ids[i] for i in group] for group in result.clusters if len(group) > 1]

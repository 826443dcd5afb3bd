"""Types `doi` and `pmid`: an article's identifiers (deduplication recognises included studies
by them)."""

from __future__ import annotations

import re

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.values import ValueProblem

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")


class Doi(FieldType):
    name = "doi"
    accepts_tokens = False
    reference = (
        "A DOI without https://doi.org/ (sheet studies; deduplication recognises included "
        "studies by it)."
    )

    def allowed(self, fld):
        return "a DOI such as 10.3389/fnhum.2025.1541096 (no https://doi.org/)"

    def parse(self, fld, text):
        if not DOI_RE.match(text):
            raise ValueProblem("is not a DOI")
        return []


class Pmid(FieldType):
    name = "pmid"
    accepts_tokens = False
    reference = (
        "A PubMed id, digits only (sheet studies; deduplication recognises included studies by it)."
    )

    def allowed(self, fld):
        return "a PubMed id (digits only)"

    def parse(self, fld, text):
        if not PMID_RE.match(text):
            raise ValueProblem("is not a PubMed id")
        return []


DOI, PMID = Doi(), Pmid()

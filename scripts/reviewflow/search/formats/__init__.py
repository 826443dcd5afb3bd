"""One reader per export format (PubMed XML, MEDLINE, RIS, Web of Science, CSV, BibTeX), each
with a `read(source)` entry that `reviewflow.search.importers.READERS` registers."""

"""Stage report: the HTML pages beside the tables, and the reporting checklists."""

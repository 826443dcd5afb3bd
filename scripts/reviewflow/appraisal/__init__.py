"""Critical appraisal: checklists, appraisers' workbooks, judgements, the traffic-light figure and
the methods text."""

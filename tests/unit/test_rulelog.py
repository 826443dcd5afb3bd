import logging

import pytest

from reviewflow.core.errors import InputProblems
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems


@pytest.fixture
def rule_log(tmp_path):
    path = tmp_path / "rule.log"
    start_rule_log(path)
    yield path
    logging.basicConfig(force=True, handlers=[logging.NullHandler()])


def test_input_problems_end_the_rule_with_their_list_in_the_log(rule_log):
    problems = InputProblems("extraction/cases.xlsx", ["cases!E12: 'Mle': sex is not allowed"])
    with pytest.raises(SystemExit) as stopped, stop_on_input_problems():
        raise problems
    assert str(stopped.value) == str(problems)
    assert rule_log.read_text().splitlines() == str(problems).splitlines()


def test_other_errors_are_logged_with_their_traceback_and_raised(rule_log):
    with pytest.raises(KeyError), stop_on_input_problems():
        raise KeyError("missing")
    text = rule_log.read_text()
    assert "the rule failed; nothing was written" in text
    assert "Traceback" in text and "KeyError: 'missing'" in text


def test_library_lines_reach_the_log_but_not_plotting_chatter(rule_log):
    logging.getLogger("reviewflow.search.entrez").info("QueryTranslation: igg4[All Fields]")
    logging.getLogger("fontTools.subset").info("pruned")
    assert rule_log.read_text() == "QueryTranslation: igg4[All Fields]\n"

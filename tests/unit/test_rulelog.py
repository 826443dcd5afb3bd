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


def _run(code: str, cwd) -> str:
    """Run `code` in a fresh Python (this one's reviewflow importable) -> its standard output."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_a_rule_process_ends_frozen_with_its_log_complete(tmp_path):
    """The exit handlers registered before start_rule_log run after the freeze it registers
    (atexit runs them last in, first out) and find the objects frozen; the log still has every
    line (logging's own handler flushes it after the freeze)."""
    code = (
        "import atexit, gc, logging\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        "from reviewflow.core.rulelog import start_rule_log\n"
        "start_rule_log('rule.log')\n"
        "start_rule_log('rule.log')\n"
        "print('frozen before exit:', gc.get_freeze_count() > 0)\n"
        "logging.getLogger('reviewflow').info('the last line')\n"
    )
    out = _run(code, tmp_path)
    assert out.splitlines() == ["frozen before exit: False", "frozen at exit: True"]
    assert (tmp_path / "rule.log").read_text(encoding="utf-8") == "the last line\n"


def test_the_final_collection_is_spared_once_however_often_it_is_asked(monkeypatch):
    import atexit

    from reviewflow.core import process_end

    registered = []
    monkeypatch.setattr(process_end, "_registered", [])
    monkeypatch.setattr(atexit, "register", registered.append)
    process_end.spare_final_collection()
    process_end.spare_final_collection()
    assert len(registered) == 1

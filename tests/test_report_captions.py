"""The report's captions (workflow/report/) without running snakemake: every caption file is used
and exists, every report() output has a caption and a category, the categories sort in the order
the data flow, and every caption renders (Jinja with the review's config, then reStructuredText)
without a docutils warning. tests/e2e/test_report.py builds the report itself."""

import io
import re
from pathlib import Path
from types import SimpleNamespace

import jinja2
import pytest
import yaml
from docutils.core import publish_parts

REPO = Path(__file__).resolve().parents[1]
REPORT_DIR = REPO / "workflow" / "report"
RULE_FILES = sorted((REPO / "workflow" / "rules").glob("*.smk"))
GLOBAL_CAPTION = REPORT_DIR / "workflow.rst"
CAPTIONS = sorted(p for p in REPORT_DIR.rglob("*.rst") if p != GLOBAL_CAPTION)


def report_wrappers() -> list[tuple[str, str]]:
    """(rule file, body) of every report(...) output wrapper."""
    wrappers = []
    for path in RULE_FILES:
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\breport\(\n(.*?)\n\s*\),?\n", text, flags=re.S):
            wrappers.append((path.name, match.group(1)))
    return wrappers


def report_categories() -> list[tuple[str, str]]:
    """(constant, name) of the report's categories, in the order common.smk defines them."""
    text = (REPO / "workflow" / "rules" / "common.smk").read_text(encoding="utf-8")
    return re.findall(r'^(REPORT_\w+) = "([^"]+)"', text, flags=re.M)


def test_every_caption_file_is_used_and_every_used_caption_exists():
    used = set()
    for file, body in report_wrappers():
        caption = re.search(r'caption="\.\./report/([^"]+)"', body)
        assert caption, f"{file}: a report() output without caption:\n{body}"
        used.add(caption.group(1))
    present = {p.relative_to(REPORT_DIR).as_posix() for p in CAPTIONS}
    assert sorted(present - used) == [], "caption files no rule uses (orphans)"
    assert sorted(used - present) == [], "captions rules use that do not exist"
    snakefile = (REPO / "Snakefile").read_text(encoding="utf-8")
    assert 'report: "workflow/report/workflow.rst"' in snakefile


def test_every_report_output_has_a_numbered_category():
    constants = dict(report_categories())
    for file, body in report_wrappers():
        category = re.search(r"category=(\w+)", body)
        assert category and category.group(1) in constants, f"{file}: {body}"


def test_categories_sort_in_data_flow_order_and_clash_with_no_report_target():
    categories = report_categories()
    names = [name for _, name in categories]
    assert [c for c, _ in categories] == [
        "REPORT_SEARCH",
        "REPORT_DEDUP",
        "REPORT_SCREENING",
        "REPORT_DATASET",
        "REPORT_STATISTICS",
        "REPORT_FIGURES",
        "REPORT_PRISMA",
    ]
    assert sorted(names) == names  # the report's menu sorts categories by name
    # Snakemake defines the link targets `Workflow` and `Statistics` in every caption; a category
    # of the same name (docutils compares names ignoring case) is a duplicate target.
    assert not {n.lower() for n in names} & {"workflow", "statistics"}


def render(caption: Path, config: dict) -> tuple[str, str]:
    """The caption as Snakemake renders it (Jinja, then docutils): (html, docutils warnings)."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    text = env.from_string(caption.read_text(encoding="utf-8")).render(
        snakemake=SimpleNamespace(config=config), categories={}, files=[]
    )
    warnings = io.StringIO()
    html = publish_parts(text, writer_name="html", settings_overrides={"warning_stream": warnings})[
        "body"
    ]
    return html, warnings.getvalue()


@pytest.fixture(scope="module")
def config() -> dict:
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


@pytest.mark.filterwarnings('ignore:Argument "writer_name":PendingDeprecationWarning')
@pytest.mark.parametrize("caption", CAPTIONS, ids=lambda p: p.relative_to(REPORT_DIR).as_posix())
def test_caption_renders_without_warnings(caption, config):
    html, warnings = render(caption, config)
    assert warnings == ""
    assert "System Message" not in html and "{{" not in html and "{%" not in html
    words = re.sub(r"<[^>]+>", "", html).split()
    assert len(words) >= 30, "a caption says what the output is, how it was made, how to read it"


@pytest.mark.filterwarnings('ignore:Argument "writer_name":PendingDeprecationWarning')
def test_captions_fill_in_the_config(config):
    stats = config["statistics"]
    html, _ = render(REPORT_DIR / "statistics" / "summary.rst", config)
    assert f'<tt class="docutils literal">{stats["reported_results"]}</tt>' in html
    assert f"p ≥ {stats['normality_alpha']}" in html
    html, _ = render(REPORT_DIR / "screening" / "screening_log.rst", config)
    for reason in config["screening"]["exclusion_reasons"]["full_text"]:
        assert f"<em>{reason}</em>" in html
    html, _ = render(REPORT_DIR / "search" / "search_report.rst", config)
    assert f"{config['search']['overlap_days']} days before" in html

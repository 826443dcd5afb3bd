"""The PRISMA 2020 flow diagram, drawn with matplotlib (no system binary).

PRISMA 2020's layout, for a new review (identification via databases, screening, included) and
for an updated review (previous studies on the left, new studies, total studies at the bottom).
Boxes are sized from the measured extents of their text: every text is wrapped to its box's
width with the renderer's own metrics, and after drawing, `layout_problems` measures every
rendered text against its box and against every other text; the build fails on any problem.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch
from matplotlib.text import Text

from reviewflow.core.io import atomic_path
from reviewflow.prisma.flow import Count, Flow, Screening

FONT_FAMILY = "DejaVu Sans"  # shipped with matplotlib: the same metrics on every machine
BOX_SIZE = 8.5  # points
TITLE_SIZE = 9.0
BAR_SIZE = 9.5
NOTE_SIZE = 7.0
LINE_SPACING = 1.35  # line height as a multiple of the font size
TEXT_HEIGHT = 1.17  # a line's rendered extent (ascent + descent) as a multiple of the font size
PAD = 0.09  # inches between a box's edge and its text
INDENT = 0.16  # inches per indent level
HANG = 0.10  # extra indent of a wrapped item's continuation lines
ROW_GAP = 0.32  # inches between rows (room for the arrows)
COLUMN_GAP = 0.45
MARGIN = 0.15
MIN_BOX_HEIGHT = 0.42
DPI = 200  # the PNG's resolution; layout is measured at this resolution too
TOLERANCE_PX = 1.0  # rendered text must stay this far inside its box

EDGE = "#000000"
WHITE = "#FFFFFF"
GREY = "#DCDCDC"  # PRISMA2020's grey boxes (Gainsboro)
YELLOW = "#FFC125"  # its title box (Goldenrod1)
BLUE = "#BCD2EE"  # its side bars (LightSteelBlue2)

NOT_REPORTED = "not reported"


# ---------------------------------------------------------------- what each box says


@dataclass(frozen=True)
class Line:
    """One item of a box's text; wrapped to the box's width when drawn."""

    text: str
    indent: int = 0


def labelled(label: str, count: Count) -> str:
    """`Label (n = 12)`, or `Label (not reported)`: never an invented 0."""
    if count.value is None:
        return f"{label} ({NOT_REPORTED})"
    return f"{label} (n = {count.value})"


def identification_lines(flow: Flow) -> list[Line]:
    ident = flow.identification
    lines = [Line("Records identified from:"), Line(labelled("Databases", ident.records), 1)]
    lines += [Line(labelled(name, count), 2) for name, count in ident.databases]
    lines.append(Line(f"Search dates: {ident.period}"))
    return lines


def removed_lines(flow: Flow) -> list[Line]:
    return [
        Line("Records removed before screening:"),
        Line(labelled("Duplicate records removed", flow.identification.removed_duplicates), 1),
    ]


def screened_lines(screen: Screening) -> list[Line]:
    lines = [Line(labelled("Records screened", screen.records_screened))]
    if screen.records_pending.value:
        lines.append(Line(labelled("Records awaiting screening", screen.records_pending)))
    return lines


def assessed_lines(screen: Screening) -> list[Line]:
    lines = [Line(labelled("Reports assessed for eligibility", screen.reports_assessed))]
    if screen.reports_pending.value:
        lines.append(Line(labelled("Reports awaiting assessment", screen.reports_pending)))
    return lines


def reasons_lines(screen: Screening) -> list[Line]:
    if screen.reports_excluded is None:
        return [Line(f"Reports excluded ({NOT_REPORTED})")]
    if not screen.reports_excluded:
        return [Line("Reports excluded (n = 0)")]
    return [Line("Reports excluded:")] + [
        Line(labelled(item.reason, item.count), 1) for item in screen.reports_excluded
    ]


def included_lines(flow: Flow) -> list[Line]:
    screen = flow.screening
    if flow.updated:
        return [
            Line(labelled("New studies included in review", screen.studies_included)),
            Line(labelled("Reports of new included studies", screen.reports_included)),
        ]
    lines = [
        Line(labelled("Studies included in review", screen.studies_included)),
        Line(labelled("Reports of included studies", screen.reports_included)),
    ]
    if flow.patients is not None:
        lines.append(Line(labelled("Patients", flow.patients)))
    return lines


def total_lines(flow: Flow) -> list[Line]:
    lines = [
        Line(labelled("Total studies included in review", flow.total_studies)),
        Line(labelled("Reports of total included studies", flow.total_reports)),
    ]
    if flow.patients is not None:
        lines.append(Line(labelled("Patients", flow.patients)))
    if flow.studies_awaiting_extraction is not None:
        awaiting = flow.studies_awaiting_extraction
        lines.append(Line(labelled("New studies awaiting data extraction", awaiting)))
    return lines


def previous_lines(flow: Flow) -> list[Line]:
    prev = flow.previous
    lines = [
        Line(
            labelled(
                "Studies included in previous version of review", prev.screening.studies_included
            )
        ),
        Line(
            labelled(
                "Reports of studies included in previous version of review",
                prev.screening.reports_included,
            )
        ),
    ]
    if prev.patients is not None:
        lines.append(Line(labelled("Patients", prev.patients)))
    lines.append(Line(f"Search dates: {prev.identification.period}"))
    return lines


def footnote(flow: Flow, draws_not_reported: bool) -> str:
    notes = []
    if flow.reported_windows:
        windows = ", ".join(flow.reported_windows)
        notes.append(
            f"Counts of the first version (search window {windows}) are those its article "
            "reported, not counts derived by the workflow."
        )
    if draws_not_reported:
        notes.append(
            f"“{NOT_REPORTED.capitalize()}”: the source did not report this count; it is "
            "unknown, not zero."
        )
    notes.append(
        "Only bibliographic databases were searched (no registers, websites, organisations or "
        "citation searching); no records were removed before screening other than duplicates."
    )
    return " ".join(notes)


# ---------------------------------------------------------------- layout


@dataclass(frozen=True)
class Column:
    x: float
    width: float


@dataclass
class BoxSpec:
    name: str
    row: str
    columns: tuple[str, ...]  # one column, or the first and last column it spans
    lines: list[Line]
    fill: str = WHITE
    rounded: bool = False
    title: bool = False  # bold, centred


@dataclass
class Placed:
    """A drawn box: its patch and every text drawn inside it."""

    name: str
    patch: Patch
    texts: list[Text] = field(default_factory=list)


@dataclass
class Diagram:
    figure: Figure
    boxes: list[Placed]
    width: float
    height: float

    def texts(self) -> Iterator[tuple[str, Text]]:
        for box in self.boxes:
            for text in box.texts:
                yield box.name, text


class Measure:
    """Text widths in inches, from the Agg renderer at the diagram's resolution."""

    def __init__(self, dpi: int = DPI):
        self.dpi = dpi
        self.renderer = FigureCanvasAgg(Figure(dpi=dpi)).get_renderer()

    @functools.lru_cache(maxsize=4096)  # noqa: B019 (one Measure per drawing)
    def width(self, text: str, size: float, bold: bool = False) -> float:
        width, _, _ = self.renderer.get_text_width_height_descent(
            text, font(size, bold), ismath=False
        )
        return width / self.dpi


def font(size: float, bold: bool = False) -> FontProperties:
    return FontProperties(family=FONT_FAMILY, size=size, weight="bold" if bold else "normal")


def line_height(size: float) -> float:
    return size * LINE_SPACING / 72


# A count, "(n = 12)" or "(not reported)", is never split across lines.
WORDS = re.compile(rf"\((?:n = [^()]*|{NOT_REPORTED})\)|\S+")


def wrap(text: str, width: float, fits) -> list[str]:
    """Greedy word wrap: each returned line satisfies `fits(line, width)`; a word longer than the
    width is cut."""
    lines: list[str] = []
    current = ""
    for word in WORDS.findall(text):
        candidate = f"{current} {word}" if current else word
        if fits(candidate, width):
            current = candidate
            continue
        if current:
            lines.append(current)
        while not fits(word, width) and len(word) > 1:
            cut = 1
            while cut < len(word) - 1 and fits(word[: cut + 1], width):
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class Physical:
    """A drawn line: its text and its offset from the box's inner left edge (inches)."""

    text: str
    offset: float


def wrap_box(spec: BoxSpec, width: float, measure: Measure) -> list[Physical]:
    size = TITLE_SIZE if spec.title else BOX_SIZE
    inner = width - 2 * PAD

    def fits(text: str, avail: float) -> bool:
        return measure.width(text, size, spec.title) <= avail

    out: list[Physical] = []
    for item in spec.lines:
        first = item.indent * INDENT
        pieces = wrap(item.text, inner - first - HANG, fits)
        out += [Physical(p, first + (HANG if i else 0)) for i, p in enumerate(pieces)]
    return out


def columns_for(flow: Flow) -> dict[str, Column]:
    bar = Column(MARGIN, 0.32)
    if flow.updated:
        prev = Column(bar.x + bar.width + 0.15, 2.55)
        main = Column(prev.x + prev.width + 0.35, 3.0)
        side = Column(main.x + main.width + COLUMN_GAP, 3.0)
        return {"bar": bar, "previous": prev, "main": main, "side": side}
    main = Column(bar.x + bar.width + 0.15, 3.2)
    side = Column(main.x + main.width + COLUMN_GAP, 3.2)
    return {"bar": bar, "main": main, "side": side}


def box_specs(flow: Flow) -> list[BoxSpec]:
    screen = flow.screening
    what = "new studies via databases" if flow.updated else "studies via databases"
    specs = [
        BoxSpec(
            "title_new",
            "header",
            ("main", "side"),
            [Line(f"Identification of {what}")],
            fill=YELLOW,
            rounded=True,
            title=True,
        ),
        BoxSpec("identified", "identification", ("main",), identification_lines(flow)),
        BoxSpec("removed", "identification", ("side",), removed_lines(flow)),
        BoxSpec("screened", "screened", ("main",), screened_lines(screen)),
        BoxSpec(
            "records_excluded",
            "screened",
            ("side",),
            [Line(labelled("Records excluded", screen.records_excluded))],
        ),
        BoxSpec(
            "sought",
            "sought",
            ("main",),
            [Line(labelled("Reports sought for retrieval", screen.reports_sought))],
        ),
        BoxSpec(
            "not_retrieved",
            "sought",
            ("side",),
            [Line(labelled("Reports not retrieved", screen.reports_not_retrieved))],
        ),
        BoxSpec("assessed", "assessed", ("main",), assessed_lines(screen)),
        BoxSpec("reports_excluded", "assessed", ("side",), reasons_lines(screen)),
        BoxSpec("included", "included", ("main",), included_lines(flow)),
    ]
    if flow.updated:
        specs += [
            BoxSpec(
                "title_previous",
                "header",
                ("previous",),
                [Line("Previous studies")],
                fill=GREY,
                rounded=True,
                title=True,
            ),
            BoxSpec("previous", "identification", ("previous",), previous_lines(flow), fill=GREY),
            BoxSpec("total", "total", ("main",), total_lines(flow), fill=GREY),
        ]
    return specs


BANDS = (
    ("Identification", ("identification",)),
    ("Screening", ("screened", "sought", "assessed")),
    ("Included", ("included", "total")),
)


@dataclass
class Layout:
    width: float
    height: float
    boxes: dict[str, tuple[BoxSpec, float, float, float, float, list[Physical]]]  # x, top, w, h
    bars: list[tuple[str, float, float, float, float]]  # label, x, top, w, h
    note: list[str]
    note_top: float


def layout(flow: Flow, measure: Measure) -> Layout:
    cols = columns_for(flow)
    specs = box_specs(flow)
    rows = ["header", "identification", "screened", "sought", "assessed", "included"]
    if flow.updated:
        rows.append("total")
    wrapped, heights = {}, {row: 0.0 for row in rows}
    for spec in specs:
        first, last = cols[spec.columns[0]], cols[spec.columns[-1]]
        width = last.x + last.width - first.x
        lines = wrap_box(spec, width, measure)
        size = TITLE_SIZE if spec.title else BOX_SIZE
        natural = len(lines) * line_height(size) + 2 * PAD
        minimum = 0.0 if spec.title else MIN_BOX_HEIGHT
        heights[spec.row] = max(heights[spec.row], natural, minimum)
        wrapped[spec.name] = (spec, first.x, width, lines)
    # A side bar's rotated label must fit its band: grow the band's rows when it does not.
    for label, band_rows in BANDS:
        present = [r for r in band_rows if r in heights]
        need = measure.width(label, BAR_SIZE, True) + 2 * PAD
        have = sum(heights[r] for r in present) + ROW_GAP * (len(present) - 1)
        if have < need:
            for r in present:
                heights[r] += (need - have) / len(present)
    tops, y = {}, MARGIN
    for row in rows:
        tops[row] = y
        y += heights[row] + ROW_GAP
    boxes = {
        name: (spec, x, tops[spec.row], width, heights[spec.row], lines)
        for name, (spec, x, width, lines) in wrapped.items()
    }
    bars = []
    for label, band_rows in BANDS:
        present = [r for r in band_rows if r in heights]
        top = tops[present[0]]
        bottom = tops[present[-1]] + heights[present[-1]]
        bars.append((label, cols["bar"].x, top, cols["bar"].width, bottom - top))
    width = cols["side"].x + cols["side"].width + MARGIN
    note_width = width - 2 * MARGIN
    draws_not_reported = any(NOT_REPORTED in line.text for s in specs for line in s.lines)
    note = wrap(
        footnote(flow, draws_not_reported),
        note_width,
        lambda t, w: measure.width(t, NOTE_SIZE) <= w,
    )
    note_top = y - ROW_GAP + 0.2
    height = note_top + len(note) * line_height(NOTE_SIZE) + MARGIN
    return Layout(width, height, boxes, bars, note, note_top)


# ---------------------------------------------------------------- drawing


def draw(flow: Flow, dpi: int = DPI) -> Diagram:
    """Draw the flow; the caller checks `layout_problems` and saves with `save`."""
    measure = Measure(dpi)
    lay = layout(flow, measure)
    fig = Figure(figsize=(lay.width, lay.height), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, lay.width)
    ax.set_ylim(0, lay.height)
    ax.axis("off")
    H = lay.height
    placed: list[Placed] = []

    def box_patch(x, top, w, h, fill, rounded) -> Patch:
        style = "round,pad=0,rounding_size=0.06" if rounded else "square,pad=0"
        patch = FancyBboxPatch(
            (x, H - top - h), w, h, boxstyle=style, facecolor=fill, edgecolor=EDGE, lw=0.8
        )
        ax.add_patch(patch)
        return patch

    for name, (spec, x, top, w, h, lines) in lay.boxes.items():
        patch = box_patch(x, top, w, h, spec.fill, spec.rounded)
        size = TITLE_SIZE if spec.title else BOX_SIZE
        step = line_height(size)
        y = top + (h - len(lines) * step) / 2 + (step - size * TEXT_HEIGHT / 72) / 2
        texts = []
        for line in lines:
            if spec.title:
                pos, ha = x + w / 2, "center"
            else:
                pos, ha = x + PAD + line.offset, "left"
            texts.append(
                ax.text(
                    pos,
                    H - y,
                    line.text,
                    ha=ha,
                    va="top",
                    fontproperties=font(size, spec.title),
                    parse_math=False,
                )
            )
            y += step
        placed.append(Placed(name, patch, texts))
    for label, x, top, w, h in lay.bars:
        patch = box_patch(x, top, w, h, BLUE, True)
        text = ax.text(
            x + w / 2,
            H - top - h / 2,
            label,
            rotation=90,
            ha="center",
            va="center",
            fontproperties=font(BAR_SIZE, True),
            parse_math=False,
        )
        placed.append(Placed(f"bar_{label.lower()}", patch, [text]))
    note_texts = []
    for i, line in enumerate(lay.note):
        note_texts.append(
            ax.text(
                MARGIN,
                H - lay.note_top - i * line_height(NOTE_SIZE),
                line,
                ha="left",
                va="top",
                fontproperties=font(NOTE_SIZE),
                parse_math=False,
            )
        )
    note_height = len(lay.note) * line_height(NOTE_SIZE)
    note_area = FancyBboxPatch(
        (MARGIN - 0.02, H - lay.note_top - note_height - 0.02),
        lay.width - 2 * MARGIN + 0.04,
        note_height + 0.04,
        boxstyle="square,pad=0",
        facecolor="none",
        edgecolor="none",
    )
    ax.add_patch(note_area)
    placed.append(Placed("footnote", note_area, note_texts))
    _draw_arrows(ax, lay, flow)
    return Diagram(fig, placed, lay.width, lay.height)


def _arrow(ax, start, end) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=9,
            lw=0.8,
            color=EDGE,
            shrinkA=0,
            shrinkB=0,
        )
    )


def _draw_arrows(ax, lay: Layout, flow: Flow) -> None:
    H = lay.height

    def geom(name):
        _, x, top, w, h, _ = lay.boxes[name]
        return x, H - top, w, h  # x, y of the top edge, width, height

    chain = ["identified", "screened", "sought", "assessed", "included"]
    if flow.updated:
        chain.append("total")
    for upper, lower in zip(chain, chain[1:], strict=False):
        x, y, w, h = geom(upper)
        x2, y2, w2, _ = geom(lower)
        _arrow(ax, (x + w / 2, y - h), (x2 + w2 / 2, y2))
    for main, side in (
        ("identified", "removed"),
        ("screened", "records_excluded"),
        ("sought", "not_retrieved"),
        ("assessed", "reports_excluded"),
    ):
        x, y, w, h = geom(main)
        x2, _, _, _ = geom(side)
        _arrow(ax, (x + w, y - h / 2), (x2, y - h / 2))
    if flow.updated:
        x, y, w, h = geom("previous")
        tx, ty, _, th = geom("total")
        mid = ty - th / 2
        ax.add_line(Line2D([x + w / 2, x + w / 2], [y - h, mid], lw=0.8, color=EDGE))
        _arrow(ax, (x + w / 2, mid), (tx, mid))


# ---------------------------------------------------------------- checking what was drawn


def _overlap(a, b, tol: float) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > tol and min(a.y1, b.y1) - max(a.y0, b.y0) > tol


def layout_problems(diagram: Diagram, tolerance_px: float = TOLERANCE_PX) -> list[str]:
    """Measure the rendered diagram: every text inside its box (by `tolerance_px`), no two
    texts overlapping, no two boxes overlapping, everything inside the figure."""
    fig = diagram.figure
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    problems = []
    figure_box = fig.bbox
    measured = []
    for box in diagram.boxes:
        outer = box.patch.get_window_extent(renderer)
        if not (
            outer.x0 >= figure_box.x0 - 0.5
            and outer.y0 >= figure_box.y0 - 0.5
            and outer.x1 <= figure_box.x1 + 0.5
            and outer.y1 <= figure_box.y1 + 0.5
        ):
            problems.append(f"box {box.name!r} reaches outside the figure")
        for text in box.texts:
            extent = text.get_window_extent(renderer)
            measured.append((box.name, text, extent))
            inside = (
                extent.x0 >= outer.x0 + tolerance_px
                and extent.x1 <= outer.x1 - tolerance_px
                and extent.y0 >= outer.y0 + tolerance_px
                and extent.y1 <= outer.y1 - tolerance_px
            )
            if not inside:
                problems.append(
                    f"box {box.name!r}: text {text.get_text()!r} "
                    f"(x {extent.x0:.0f}-{extent.x1:.0f}, y {extent.y0:.0f}-{extent.y1:.0f} px) "
                    f"overflows its box (x {outer.x0:.0f}-{outer.x1:.0f}, "
                    f"y {outer.y0:.0f}-{outer.y1:.0f} px)"
                )
    for i, (name_a, text_a, a) in enumerate(measured):
        for name_b, text_b, b in measured[i + 1 :]:
            if _overlap(a, b, 0.5):
                problems.append(
                    f"text {text_a.get_text()!r} ({name_a}) overlaps {text_b.get_text()!r} "
                    f"({name_b})"
                )
    patches = [(box.name, box.patch.get_window_extent(renderer)) for box in diagram.boxes]
    for i, (name_a, a) in enumerate(patches):
        for name_b, b in patches[i + 1 :]:
            if _overlap(a, b, 0.5):
                problems.append(f"box {name_a!r} overlaps box {name_b!r}")
    registered = {id(text) for _, text in diagram.texts()}
    for text in fig.axes[0].texts:
        if id(text) not in registered:
            problems.append(f"text {text.get_text()!r} belongs to no box")
    return problems


class LayoutError(RuntimeError):
    """Text that would overflow or overlap in the drawn diagram."""


def check_layout(diagram: Diagram) -> None:
    problems = layout_problems(diagram)
    if problems:
        raise LayoutError(
            "the PRISMA diagram's text does not fit, nothing was written:\n  "
            + "\n  ".join(problems)
        )


SAVE_RC = {
    "svg.fonttype": "none",  # text stays text in the SVG: searchable, and every number in it
    "svg.hashsalt": "reviewflow-prisma",  # stable ids: the same flow gives the same SVG
    "pdf.fonttype": 42,  # embedded TrueType: text selectable in the PDF
}


def save(diagram: Diagram, paths: Sequence[str | Path]) -> None:
    """Write the diagram to each path (format from the suffix: .svg, .pdf, .png), atomically."""
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}
    with rc_context(SAVE_RC):
        for path in paths:
            fmt = Path(path).suffix.lstrip(".").lower()
            with atomic_path(path) as tmp:
                diagram.figure.savefig(
                    tmp, format=fmt, dpi=DPI, metadata=metadata.get(fmt), facecolor=WHITE
                )

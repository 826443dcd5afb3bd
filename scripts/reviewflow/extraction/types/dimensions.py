"""Type `dimensions`: a size printed as one to three axes (`10.0 × 5.0`, `3 x 2 x 1 cm`, `4.0`),
read into the declared readings: the largest axis, each axis, their product."""

from __future__ import annotations

import re
from typing import Any

from reviewflow.extraction.types.base import FieldType, num
from reviewflow.extraction.values import NUMBER, ValueProblem, parse_number

READINGS = ("largest", "axes", "product")
# An axis separator: ×, x, X, * or "by", with or without spaces ("by" needs spaces or digits).
SEPARATOR_RE = re.compile(r"\s*(?:[×xX*]|\bby\b)\s*")
AXIS_RE = re.compile(rf"^({NUMBER})\s*([A-Za-zµμ]*)$")


class Dimensions(FieldType):
    name = "dimensions"
    keys = frozenset({"axes", "unit", "units", "readings", "range", "plausible"})
    reference = (
        "A size as printed: one to three axes separated by ×, x, *, or `by` (10.0 × 5.0, 3 x 2 x "
        "1, 4.0), each axis or the cell optionally with a unit of `units` (10 × 5 mm, 10mm x "
        "5mm) converted to `unit`; `axes: [fewest, most]`; the dataset gets the declared "
        "`readings`: `<name>_largest`, `<name>_axis1`.. and `<name>_product`."
    )
    ranged = True

    def declare(self, data, where, problems):
        axes = data.get("axes", [1, 3])
        if not (
            isinstance(axes, list)
            and len(axes) == 2
            and all(isinstance(a, int) and not isinstance(a, bool) for a in axes)
            and 1 <= axes[0] <= axes[1]
        ):
            problems.append(
                f"{where}: axes: {axes!r}: the fewest and most axes a cell may give, e.g. [1, 3]"
            )
        readings = data.get("readings", ["largest"])
        if (
            not isinstance(readings, list)
            or not readings
            or any(r not in READINGS for r in readings)
        ):
            problems.append(
                f"{where}: readings: {readings!r}: a list of {', '.join(READINGS)} (any subset)"
            )
        if not data.get("unit"):
            problems.append(f"{where}: unit: missing: the unit of the dataset's sizes, e.g. cm")
        units = data.get("units") or {}
        if not isinstance(units, dict) or not all(
            isinstance(f, int | float) and not isinstance(f, bool) and f > 0 for f in units.values()
        ):
            problems.append(
                f"{where}: units: {units!r}: suffixes a cell may carry mapped to their factor to "
                "`unit`, e.g. {cm: 1, mm: 0.1}"
            )

    def allowed(self, fld):
        low, high = fld.axes
        count = f"{low} to {high}" if low != high else f"{low}"
        text = f"{count} sizes separated by × (or x, *, by), e.g. 10.0 × 5.0"
        suffixes = [u for u in fld.units if u]
        if suffixes:
            text += f", optionally with a unit ({', '.join(suffixes)}; none: {fld.unit})"
        return text

    def parse(self, fld, text):
        return list(axes_of(fld, text))

    def check(self, fld, text):
        problem = super().check(fld, text)
        if problem == "is outside the possible range":
            low, high = fld.range
            return f"has a size outside the possible range {num(low)}-{num(high)} {fld.unit}"
        return problem

    def columns(self, maker):
        fld = maker.fld
        unit = maker.spec.get("unit", fld.unit)
        made = []
        for reading in fld.readings:
            if reading == "largest":
                made.append(
                    maker.column(
                        f"{maker.name}_largest",
                        "number",
                        maker.described("largest", f"{fld.label}: largest axis."),
                        part="largest",
                        unit=unit,
                        label=f"{maker.label} (largest)",
                    )
                )
            elif reading == "axes":
                made += [
                    maker.column(
                        f"{maker.name}_axis{i}",
                        "number",
                        maker.described(f"axis{i}", f"{fld.label}: axis {i} as printed."),
                        part=f"axis{i}",
                        unit=unit,
                        label=f"{maker.label} (axis {i})",
                    )
                    for i in range(1, fld.axes[1] + 1)
                ]
            else:
                made.append(
                    maker.column(
                        f"{maker.name}_product",
                        "number",
                        maker.described(
                            "product",
                            f"{fld.label}: product of the axes printed (in {unit} "
                            "to the power of their number).",
                        ),
                        part="product",
                        unit=product_unit(unit, fld.axes),
                        label=f"{maker.label} (product)",
                    )
                )
        return made

    def values(self, fld, text, columns, vocabulary):
        axes = () if fld.is_blank(text) else axes_of(fld, text)
        values: dict[str, Any] = {}
        for column in columns:
            if not axes:
                values[column.name] = None
            elif column.part == "largest":
                values[column.name] = max(axes)
            elif column.part == "product":
                values[column.name] = product(axes)
            else:
                index = int(column.part.removeprefix("axis")) - 1
                values[column.name] = axes[index] if index < len(axes) else None
        return values, None


def product_unit(unit: str | None, axes: tuple[int, int]) -> str | None:
    """`cm^2` when every cell gives two axes; None when the number of axes varies."""
    if not unit or axes[0] != axes[1]:
        return None
    return unit if axes[0] == 1 else f"{unit}^{axes[0]}"


def product(axes: tuple[float, ...]) -> float:
    result = 1.0
    for axis in axes:
        result *= axis
    return round(result, 10)


def axes_of(fld, text: str) -> tuple[float, ...]:
    """The axes of a printed size in the field's unit: "10 × 5 mm" -> (1.0, 0.5) for cm."""
    pieces = SEPARATOR_RE.split(text.strip())
    if any(p == "" for p in pieces):
        raise ValueProblem("has a separator without a size on both sides")
    low, high = fld.axes
    if not low <= len(pieces) <= high:
        raise ValueProblem(f"gives {len(pieces)} sizes where {low} to {high} are allowed")
    numbers, units = [], []
    for piece in pieces:
        match = AXIS_RE.match(piece)
        if not match:
            raise ValueProblem(f"has {piece!r}, which is not a size")
        numbers.append(parse_number(match.group(1)))
        units.append(match.group(2))
    given = {u for u in units if u}
    if len(given) > 1:
        raise ValueProblem(f"mixes the units {', '.join(sorted(given))}")
    unit = given.pop() if given else ""
    if unit and unit != fld.unit and unit not in fld.units:
        raise ValueProblem(f"has the unknown unit {unit!r}")
    if unit and units[-1] != unit and any(units[:-1]):
        raise ValueProblem("has a unit on some sizes only")
    factor = fld.units.get(unit, 1) if unit else 1
    return tuple(round(n * factor, 10) for n in numbers)


DIMENSIONS = Dimensions()

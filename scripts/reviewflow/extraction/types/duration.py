"""Type `duration`: a number followed by a unit letter (2d, 48w), in the dataset's unit."""

from __future__ import annotations

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.types.number import number_columns
from reviewflow.extraction.values import parse_duration

UNIT_DAYS = {"d": 1, "w": 7, "m": 30.4375, "y": 365.25}
UNIT_NAMES = {"days": "d", "weeks": "w", "months": "m", "years": "y"}


class Duration(FieldType):
    name = "duration"
    keys = frozenset({"units", "range", "plausible"})
    reference = (
        "A number followed by a unit letter (`units`, e.g. 2w, 3m), converted to the dataset's "
        "unit (`dataset: {unit: ...}`)."
    )

    def declare(self, data, where, problems):
        bad = [u for u in (data.get("units") or {}).values() if u not in UNIT_NAMES]
        if bad or not data.get("units"):
            problems.append(
                f"{where}: units: {bad or 'missing'}: letters mapped to " + ", ".join(UNIT_NAMES)
            )

    def declare_dataset(self, spec, where, problems):
        if spec.get("unit") not in UNIT_NAMES:
            problems.append(
                f"{where}: dataset.unit: {spec.get('unit', 'missing')}: the unit of its dataset "
                f"column, one of {', '.join(UNIT_NAMES)}"
            )

    def allowed(self, fld):
        return (
            "a number followed by "
            + " or ".join(f"{u} ({name})" for u, name in fld.units.items())
            + ", e.g. 2d or 48w"
        )

    def parse(self, fld, text):
        unit_days = {code: UNIT_DAYS[UNIT_NAMES[name]] for code, name in fld.units.items()}
        per_days = UNIT_DAYS[UNIT_NAMES.get(fld.dataset.get("unit", "days"), "d")]
        return [parse_duration(text, unit_days, per_days)]

    def value_unit(self, fld):
        return str(fld.dataset.get("unit", "days"))

    def plausible_unit(self, fld):
        return self.value_unit(fld)

    def columns(self, maker):
        return number_columns(maker)

    def values(self, fld, text, columns, vocabulary):
        value = None if fld.is_blank(text) else self.parse(fld, text)[0]
        return {next(c.name for c in columns if c.part == "value"): value}, None


DURATION = Duration()

"""Type `text`: text as written in the report; with `vocabulary:`, its phrases are read into
one flag per category of that phrase group."""

from __future__ import annotations

from reviewflow.extraction.types.base import FieldType, readable


class Text(FieldType):
    name = "text"
    keys = frozenset({"vocabulary"})
    reference = (
        "Text as written in the report; with `vocabulary:` its phrases become one flag per "
        "category of that phrase group."
    )
    number_cell_is_text = True

    def check(self, fld, text):
        return None

    def columns(self, maker):
        group = maker.vocabulary.group_for(maker.fld.name)
        if group is None:
            return maker.single()
        return [
            maker.column(
                group.fields[maker.fld.name] + category,
                "boolean",
                maker.described(category, f"{maker.fld.label}: {category}"),
                part=f"flag:{category}",
                label=readable(category),
            )
            for category in group.categories
        ]

    def values(self, fld, text, columns, vocabulary):
        group = vocabulary.group_for(fld.name)
        if group is None:
            return super().values(fld, text, columns, vocabulary)
        match = group.match(text)
        return {
            c.name: None if match.not_reported else c.part.split(":", 1)[1] in match.categories
            for c in columns
        }, match


TEXT = Text()

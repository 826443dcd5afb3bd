"""Errors about inputs that people edit: every problem is collected and reported at once."""


class InputProblems(ValueError):
    """One or more problems found in a user-edited input (workbook, TSV, YAML, export).

    `problems` are complete sentences, each naming where (file, sheet!cell or line), the value,
    what is wrong and what is allowed, e.g.
    ``cases!E12: 'Mle': sex must be one of Male, Female, ND``.
    """

    def __init__(self, source: str, problems: list[str]):
        self.source = str(source)
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''}, nothing was written:"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def raise_if_any(source: str, problems: list[str]) -> None:
    if problems:
        raise InputProblems(source, problems)

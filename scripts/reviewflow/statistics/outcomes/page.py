"""The Markdown page of one outcome analysis, from its contract (the JSON `analyse` returns): what
it used, the usable-n table (who was left out and why), and its estimates."""

from __future__ import annotations

import json

import pandas as pd

from reviewflow.statistics.measures import fmt, p_text

USABLE_COLUMNS = ["analysis", "kind", "n_total", "n_used", "n_left_out", "case_id", "reasons"]


def cell(value, decimals: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return fmt(value, decimals)
    return str(value).replace("|", "\\|")


def table(header: list[str], rows: list[list]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def p_cell(p) -> str:
    return "–" if p is None else p_text(p)


def interval(low, high, decimals: int = 2) -> str:
    return f"{cell(low, decimals)} to {cell(high, decimals)}"


def outcome_markdown(result: dict) -> str:
    """The page: title, columns used, usable n, excluded patients, estimates."""
    lines = [f"# {result['title']}", "", f"Analysis `{result['name']}` ({result['kind']}).", ""]
    lines += columns_lines(result)
    lines += usable_lines(result)
    kind = result["kind"]
    estimates = result["estimates"]
    if kind == "survival":
        lines += survival_lines(estimates, result["columns"]["time"]["shown_in"])
    elif kind == "compare":
        lines += compare_lines(estimates)
    else:
        lines += firth_lines(estimates)
    return "\n".join(lines).rstrip() + "\n"


def columns_lines(result: dict) -> list[str]:
    lines = ["## Data used", ""]
    for role, spec in result["columns"].items():
        if spec in (None, [], {}):
            continue
        if isinstance(spec, dict):
            described = "; ".join(
                f"{k}: {shown(v)}" for k, v in spec.items() if v not in (None, [])
            )
        else:
            described = shown(spec)
        lines.append(f"- {role}: {described}")
    return lines + [""]


def shown(value) -> str:
    """A declared value as the page shows it: lists joined, mappings as compact JSON."""
    if isinstance(value, list | tuple):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return "`" + json.dumps(value, ensure_ascii=False) + "`"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def usable_lines(result: dict) -> list[str]:
    lines = [
        "## Usable patients",
        "",
        f"{result['n_used']} of {result['n_total']} patients used; "
        f"{len(result['excluded'])} left out.",
        "",
    ]
    if result["excluded"]:
        rows = [[e["case_id"], "; ".join(e["reasons"])] for e in result["excluded"]]
        lines += table(["case_id", "left out because"], rows)
    return lines


def survival_lines(estimates: dict, unit: str) -> list[str]:
    lines = ["## Kaplan-Meier estimates", "", estimates["method"] + ".", ""]
    lines += table(
        ["group", f"median ({unit})", "95% CI"],
        [
            [m["group"], m["median"] if m["median"] is not None else "not reached",
             interval(m["ci_lower"], m["ci_upper"])]
            for m in estimates["median"]
        ],
    )  # fmt: skip
    rank = estimates["log_rank"]
    if rank:
        lines += [
            f"Log-rank test: chi-square {fmt(rank['statistic'], 2)} on {rank['df']} df, "
            f"{p_cell(rank['p'])}.",
            "",
        ]
    rows = [
        [r["group"], r["time"], r["at_risk"], r["events"], r["censored"], r["survival"],
         r["ci_lower"], r["ci_upper"]]
        for r in estimates["table"]
    ]  # fmt: skip
    lines += table(
        ["group", f"time ({unit})", "at risk", "events", "censored", "survival", "95% CI lower",
         "95% CI upper"],
        rows,
    )  # fmt: skip
    return lines


def compare_lines(estimates: dict) -> list[str]:
    lines = ["## Comparison", "", f"{estimates['test']}.", ""]
    if "table" in estimates:
        rows = estimates["table"]
        if rows:
            header = list(rows[0])
            lines += table(header, [[r[h] for h in header] for r in rows])
        lines.append(f"p: {p_cell(estimates['p'])}.")
        if estimates.get("odds_ratio") is not None or estimates.get("ci_lower") is not None:
            lines.append(
                f"Odds ratio {cell(estimates['odds_ratio'])} "
                f"(95% CI {interval(estimates['ci_lower'], estimates['ci_upper'])})."
            )
    else:
        lines += table(
            ["group", "n", "mean", "median"],
            [[g["group"], g["n"], g["mean"], g["median"]] for g in estimates["groups"]],
        )
        lines.append(f"p: {p_cell(estimates['p'])}.")
    effect = estimates.get("effect")
    if effect and "value" in effect:
        ci = ""
        if "ci_lower" in effect:
            ci = f" (95% CI {interval(effect['ci_lower'], effect['ci_upper'])})"
        lines.append(f"Effect size: {effect['name']} {cell(effect['value'])}{ci}.")
    elif effect:
        lines.append(f"Effect size: {effect['name']}.")
    return lines + [""]


def firth_lines(estimates: dict) -> list[str]:
    lines = ["## Firth-penalised logistic regression", "", estimates["method"] + ".", ""]
    models = [(f"Univariable: {m['predictors'][0]}", m) for m in estimates["univariable"]]
    models += [(f"Multivariable: {name}", m) for name, m in estimates["multivariable"].items()]
    for heading, model in models:
        lines += [f"### {heading}", "", f"n = {model['n']}, events = {model['events']}.", ""]
        for warning in model["warnings"]:
            lines += [f"**Warning:** {warning}.", ""]
        lines += table(
            ["term", "coef", "odds ratio", "95% CI (coef)", "p"],
            [
                [r["term"], r["coef"], r["odds_ratio"], interval(r["ci_lower"], r["ci_upper"]),
                 p_cell(r["p"])]
                for r in model["rows"]
            ],
        )  # fmt: skip
    return lines


def usable_table(results: list[dict]) -> pd.DataFrame:
    """The usable-n table of every analysis: one row per patient left out (case_id, its reasons
    `; `-joined), or one row with an empty case_id for an analysis that left none out."""
    rows = []
    for result in results:
        head = {
            "analysis": result["name"],
            "kind": result["kind"],
            "n_total": result["n_total"],
            "n_used": result["n_used"],
            "n_left_out": len(result["excluded"]),
        }
        for left in result["excluded"] or [{"case_id": "", "reasons": []}]:
            rows.append({**head, "case_id": left["case_id"], "reasons": "; ".join(left["reasons"])})
    return pd.DataFrame(rows, columns=USABLE_COLUMNS)

"""Predictors of a binary outcome: Firth-penalised logistic regression (Firth 1993; Heinze and
Schemper 2002) with the maintained `firthmodels` library: coefficients by penalised maximum
likelihood, 95% profile penalised-likelihood intervals and penalised likelihood-ratio p-values,
as R's logistf reports them. A model with fewer than EVENTS_PER_VARIABLE events (the less frequent
outcome) per predictor gets a warning.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

EVENTS_PER_VARIABLE = 10
METHOD = (
    "Firth-penalised logistic regression (firthmodels FirthLogisticRegression): coefficients on "
    "the log-odds scale, 95% profile penalised-likelihood CIs, penalised likelihood-ratio p"
)


def firth_model(frame: pd.DataFrame, outcome: str, predictors: list[str]) -> dict:
    """One model: rows `term, coef, ci_lower, ci_upper, p` (intercept first), `n`, `events`,
    `events_per_variable` and `warnings`."""
    from firthmodels import FirthLogisticRegression  # pulls in scikit-learn: only where fitted

    x = frame[list(predictors)].astype(float)
    y = frame[outcome].astype(int).to_numpy()
    events = int(min(y.sum(), len(y) - y.sum()))
    notes = []
    per_variable = events / len(predictors)
    if per_variable < EVENTS_PER_VARIABLE:
        notes.append(
            f"{events} events (less frequent outcome) for {len(predictors)} "
            f"predictor{'s' if len(predictors) > 1 else ''}: {per_variable:.1f} per variable, "
            f"fewer than {EVENTS_PER_VARIABLE}; read the estimates with caution"
        )
    result = {"predictors": list(predictors), "n": len(y), "events": int(y.sum())}
    if len(np.unique(y)) < 2:
        notes.append("the outcome takes one value only: no model")
        return {**result, "events_per_variable": per_variable, "rows": [], "warnings": notes}
    constant = [p for p in predictors if x[p].nunique() < 2]
    if constant:
        notes.append(f"{', '.join(constant)} takes one value only among these patients: no model")
        return {**result, "events_per_variable": per_variable, "rows": [], "warnings": notes}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = FirthLogisticRegression().fit(x, y)
            model.lrt()
            intervals = model.conf_int(method="pl")
        except (np.linalg.LinAlgError, ValueError) as error:
            notes.append(f"the model could not be fitted: {error}")
            return {**result, "events_per_variable": per_variable, "rows": [], "warnings": notes}
    notes.extend(sorted({str(w.message) for w in caught}))
    if not model.converged_:
        notes.append("the penalised likelihood did not converge")
    terms = [*predictors, "(intercept)"]
    coefs = [*map(float, model.coef_), float(model.intercept_)]
    rows = [
        {
            "term": term,
            "coef": coef,
            "odds_ratio": math.exp(coef),
            "ci_lower": clean(low),
            "ci_upper": clean(high),
            "p": clean(p),
        }
        for term, coef, (low, high), p in zip(
            terms, coefs, intervals, model.lrt_pvalues_, strict=True
        )
    ]
    rows = [rows[-1], *rows[:-1]]  # the intercept first, as logistf prints it
    return {**result, "events_per_variable": per_variable, "rows": rows, "warnings": notes}


def clean(value: float) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


def firth_models(frame: pd.DataFrame, outcome: str, predictors: list[str], models: dict) -> dict:
    """Each predictor alone (univariable) and each declared multivariable model."""
    return {
        "method": METHOD,
        "univariable": [firth_model(frame, outcome, [p]) for p in predictors],
        "multivariable": {
            name: firth_model(frame, outcome, list(terms)) for name, terms in models.items()
        },
    }

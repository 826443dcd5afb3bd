"""Outcome analyses of the pooled patients, declared in the analysis file's `outcomes` section:
time to event (Kaplan-Meier, log-rank), comparisons between groups (Fisher's exact,
Mann-Whitney or t-test) and Firth-penalised logistic regression, each with its usable-n table."""

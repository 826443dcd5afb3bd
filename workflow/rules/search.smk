# Stage: search. See ARCHITECTURE.md for its inputs and outputs.

SEARCH_TARGETS = []

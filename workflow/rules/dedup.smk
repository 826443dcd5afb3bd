# Stage: dedup. See ARCHITECTURE.md for its inputs and outputs.

DEDUP_TARGETS = []

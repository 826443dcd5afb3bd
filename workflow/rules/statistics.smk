# Stage: statistics. See ARCHITECTURE.md for its inputs and outputs.

STATISTICS_TARGETS = []

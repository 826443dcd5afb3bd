# Stage: screening. See ARCHITECTURE.md for its inputs and outputs.

SCREENING_TARGETS = []

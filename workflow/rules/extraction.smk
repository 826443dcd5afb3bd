# Stage: extraction. See ARCHITECTURE.md for its inputs and outputs.

EXTRACTION_TARGETS = []

# Stage: dataset. See ARCHITECTURE.md for its inputs and outputs.

DATASET_TARGETS = []

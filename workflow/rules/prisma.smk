# Stage: prisma. See ARCHITECTURE.md for its inputs and outputs.

PRISMA_TARGETS = []

"""Stage prisma: the PRISMA 2020 flow, its checks and CSV (template in prisma_template.csv), and
the diagram."""

"""Stage extraction: the codebook (the one schema), the vocabulary, the extraction workbook,
printed values, double extraction and adjudication."""

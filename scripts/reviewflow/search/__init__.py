"""Stage search: the E-utilities client, the stored search windows, and one reader per export
format behind a registry."""

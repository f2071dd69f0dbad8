"""Evidence: design levels, GRADE-style claim verdicts and the catalog pages read."""

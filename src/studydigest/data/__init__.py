"""Public data: exports (JSON, CSV, BibTeX, RIS, CSL-JSON) and the bibliography."""

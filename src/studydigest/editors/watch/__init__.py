"""Living evidence: ``studydigest watch`` looks outward from the corpus.

- :mod:`~studydigest.editors.watch.crossref`: retractions, expressions of concern and
  corrections that Crossref knows of and the records do not hold;
- :mod:`~studydigest.editors.watch.trials`: ClinicalTrials.gov status, posted results and
  listed publications of every registration;
- :mod:`~studydigest.editors.watch.pubmed`: the saved searches in ``searches/`` re-run from
  their last run date, with a BibTeX file of the new candidates for ``import-bib``;
- :mod:`~studydigest.editors.watch.report`: the Markdown and JSON report and the exit status;
- :mod:`~studydigest.editors.watch.client`: the one polite HTTP client (timeouts, retries,
  rate limits, contact address, cache) they all use; tests give it recorded responses;
- :mod:`~studydigest.editors.watch.run`: one run, and the next ``watch/last-run.json``.

Nothing else in the project reads the network except the weekly link check.
"""

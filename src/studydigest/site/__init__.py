"""Site: Markdown pages, charts, forest plots and sanitising, for any Markdown site engine."""

"""The site: Markdown pages from templates, SVG charts, sanitising, the problems page."""

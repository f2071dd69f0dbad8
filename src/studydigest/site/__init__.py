"""Pages: the Markdown renderer, its templates, charts and the HTML sanitiser."""

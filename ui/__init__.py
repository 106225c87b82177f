"""The web UI: jinja2 templates, static assets and page routes."""

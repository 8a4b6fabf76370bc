"""Jinja2 templates and static files of the web faces; they only render what they are given."""

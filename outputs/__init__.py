"""Deployable rule artifacts per platform, rendered with jinja2."""

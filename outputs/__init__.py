"""Deployable rule artifacts: each compiled query wrapped in the files its platform imports.

render.py drives it (rule + target + profile -> files); metadata.py derives each rule's settings and
profiles.py reads per-tenant overrides; platforms.py checks them per platform; filters.py escapes
every value for its format; templates/<target>/ hold the jinja2 templates.
"""

"""Verification engines: each SIEM's stored view of a raw event and an executor of its query language.

Nothing here imports the compiler, the backends or pySigma: an executor that shared the backends'
escaping would only repeat their bugs. The contract is enforced by import-linter (see pyproject).
"""

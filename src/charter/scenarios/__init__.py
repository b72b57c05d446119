"""Bundled scenarios (package data): one folder each."""

#: The scenario commands use when none is named.
DEFAULT = "microsoft-openai"

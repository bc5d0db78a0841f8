"""Spreadsheet imports (CSV, .xlsx, .xls) for any module: an app registers an importer
(:class:`~core.imports.registry.ImporterDefinition`) and gets upload, column mapping with remembered
templates, a dry run with a downloadable error report, per-row duplicate decisions, and an import
that runs as a background job in committed batches and can be resumed after a crash.
"""

from .registry import ImporterDefinition, ImportField, Match, Row, RowError, get_importer, importers, register_importer

__all__ = ["ImportField", "ImporterDefinition", "Match", "Row", "RowError", "get_importer", "importers",
           "register_importer"]

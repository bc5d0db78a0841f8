from .audit import AuditLog, Version
from .base import BusinessModel, LiveManager
from .basedata import CustomField, JobProgress, LookupItem, Notification, NumberingRule, PeriodicRun, Sequence
from .imports import ImportIssue, ImportRun, ImportTemplate
from .lists import ColumnPreference, SavedFilter
from .sharing import RecordShare

__all__ = [
    "AuditLog", "BusinessModel", "ColumnPreference", "CustomField", "ImportIssue", "ImportRun", "ImportTemplate", "JobProgress", "LiveManager",
    "LookupItem", "Notification", "NumberingRule", "PeriodicRun", "RecordShare", "SavedFilter",
    "Sequence", "Version",
]

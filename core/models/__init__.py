from .audit import AuditLog, Version
from .base import BusinessModel, LiveManager
from .basedata import CustomField, JobProgress, LookupItem, Notification, NumberingRule, PeriodicRun, Sequence
from .lists import ColumnPreference, SavedFilter
from .sharing import RecordShare

__all__ = [
    "AuditLog", "BusinessModel", "ColumnPreference", "CustomField", "JobProgress", "LiveManager",
    "LookupItem", "Notification", "NumberingRule", "PeriodicRun", "RecordShare", "SavedFilter",
    "Sequence", "Version",
]

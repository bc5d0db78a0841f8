from .opportunity import Competitor, Opportunity, OpportunityParticipant, OpportunityTask, StageChange, StageRule
from .project import Project
from .records import ContactRecord, MaintenanceRecord

__all__ = ["Competitor", "ContactRecord", "MaintenanceRecord", "Opportunity", "OpportunityParticipant",
           "OpportunityTask", "Project", "StageChange", "StageRule"]

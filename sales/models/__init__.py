from .opportunity import Competitor, Opportunity, OpportunityParticipant, OpportunityTask, StageChange, StageRule
from .project import Project
from .quote import Quote, QuoteLine, QuoteTemplate
from .records import ContactRecord, MaintenanceRecord

__all__ = ["Competitor", "ContactRecord", "MaintenanceRecord", "Opportunity", "OpportunityParticipant",
           "OpportunityTask", "Project", "Quote", "QuoteLine", "QuoteTemplate", "StageChange", "StageRule"]

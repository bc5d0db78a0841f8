from .lead import Lead
from .routing import LeadTeam
from .webform import WebForm, WebFormHit

__all__ = ["Lead", "LeadTeam", "WebForm", "WebFormHit"]

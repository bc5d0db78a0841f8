from .category import CustomerCategory
from .contact import Contact, ContactDate, ContactReminder
from .customer import Customer, lookup
from .followup import FollowUp, FollowUpAttachment, FollowUpComment
from .pool import CustomerAssignment, Pool, PoolRule
from .region import Region
from .tag import Tag

__all__ = ["Contact", "Customer", "lookup"]
__all__ += ["CustomerCategory", "Region", "Tag"]
__all__ += ["ContactDate", "ContactReminder", "FollowUp", "FollowUpAttachment", "FollowUpComment"]
__all__ += ["CustomerAssignment", "Pool", "PoolRule"]

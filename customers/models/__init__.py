from .contact import Contact
from .customer import Customer, lookup

__all__ = ["Contact", "Customer", "lookup"]

from django.utils.translation import gettext_lazy as _

from core import access, offboarding

from .models import SalesTarget

MODULE = "targets.target"

# The subject is the scope: a person's target is "own" for that person and in their department; a
# department target is in that department; a company target has neither and needs "all" scope. The
# one who typed a target does not make it theirs (no creator), or a manager who set the company
# target would see it without "all" scope.
access.register(SalesTarget, module=MODULE, label=_("Sales targets"), owner="owner", department="department",
                creator=None)


def _keep_with_person(*, actor, user, transfer_to=None, release_to_pool=False) -> int:
    """A leaver's targets are their own history (what they were asked to do), not work to hand over;
    moving them to a colleague would also merge two people's targets for the same months."""
    return 0


offboarding.register(SalesTarget, _keep_with_person)

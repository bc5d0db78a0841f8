"""Session engine: Django's database sessions, with the session read every request compiled once.

``SESSION_ENGINE = "org.sessions"``. The row is read by its key through core.prepared (its SQL is built
once per process instead of on every request) and an expired row counts as absent, as in Django's own
store; everything else (saving, cycling keys, clearing expired rows) is Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.prepared import Prepared

_by_key = Prepared(lambda key: Session.objects.filter(session_key=key), str)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        found = _by_key(self.session_key) if self.session_key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None

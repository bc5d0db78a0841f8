"""Token authentication that reads the token once per request.

The org security middleware looks the token up (with its user and the user's department) to check the
account and the address before any view runs. DRF's own TokenAuthentication would then read the same
token and user again, and the gate would load that second user object's roles again. This class takes
the token the middleware found for the very same key, and otherwise reads token, user and department
in one query.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from core.prepared import Prepared

REQUEST_ATTR = "_zg_token"

# The SQL of the three-table join is built once (core.prepared): building it cost more than running it.
_token_by_key = Prepared(lambda key: Token.objects.select_related("user", "user__department").filter(key=key), str)


def find_token(key: str) -> Token | None:
    found = _token_by_key(str(key))
    return found[0] if found else None


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        self._seen = getattr(request._request, REQUEST_ATTR, None)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        token = self._seen if self._seen is not None and self._seen.key == key else find_token(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token

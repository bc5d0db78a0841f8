"""Login rules that hold on every request, not only at the login page."""

from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from . import security
from .models import SecurityPolicy, User

API_PREFIX = "/api/"
ALWAYS_OPEN = ("/static/", "/i18n/", "/captcha/", "/media/")
REFRESH_SECONDS = 60
REFRESHED = "_zg_refreshed"


class SessionRefreshMiddleware:
    """The idle timeout (SESSION_COOKIE_AGE) counts from the last request. Saving the session on every
    request would cost an UPDATE and a commit per page, so the end is pushed back when the last push is
    a minute old: an idle session ends within a minute of its timeout. Sits just inside SessionMiddleware,
    which saves a session marked changed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(REFRESHED, 0) >= REFRESH_SECONDS:
                session[REFRESHED] = now
        return response



def _api_error(status: int, code: str, message: str) -> JsonResponse:
    # Same shape as core.api.errors, which only sees exceptions raised inside DRF views.
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


class SecurityPolicyMiddleware:
    """For a logged-in session: ends it when the account was disabled or left, or the address is no
    longer allowed; sends the user to change an expired or admin-reset password, and to set up
    two-factor login when the policy requires it. For token API calls: checks the address too."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _paths(self) -> dict[str, str]:
        return {name: reverse(f"org:{name}") for name in ("login", "logout", "password_change", "totp_setup")}

    def __call__(self, request):
        if request.path.startswith(ALWAYS_OPEN):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._check_session(request, user)
            if response is not None:
                return response
        else:
            if SESSION_KEY in request.session:
                self._drop_refused_session(request)
            if request.path.startswith(API_PREFIX):
                response = self._check_token(request)
                if response is not None:
                    return response
        return self.get_response(request)

    def _drop_refused_session(self, request):
        """The session names a user the auth backend refused (disabled, or deleted): end it for good
        instead of keeping it around anonymous, so re-enabling the account does not revive it."""
        stale = User._default_manager.filter(pk=request.session.get(SESSION_KEY)).first()
        key = request.session.session_key
        logout(request)
        if stale is not None:
            security.logged_out(user=stale, session_key=key)

    def _check_session(self, request, user: User):
        is_api = request.path.startswith(API_PREFIX)
        ip = getattr(request, "client_ip", None)
        policy = SecurityPolicy.current()
        if user.status == User.Status.LEFT or not user.is_active:
            return self._end(request, user, _("Your account is disabled."), is_api, 401, "not_authenticated")
        if not security.ip_allowed(user, ip, policy=policy):
            return self._end(request, user, security.ip_error(), is_api, 403, "ip_not_allowed")
        if is_api:
            return None
        paths = self._paths
        if request.path in (paths["logout"], paths["password_change"]):
            return None
        if user.must_change_password or security.password_expired(user, policy=policy):
            return redirect("org:password_change")
        if policy.require_totp and not user.totp_enabled and request.path != paths["totp_setup"]:
            messages.warning(request, _("The security policy requires two-factor login. Please set it up now."))
            return redirect("org:totp_setup")
        return None

    def _end(self, request, user: User, message: str, is_api: bool, status: int, code: str):
        # The lazy request.user wrapper is not a model instance for the audit entry.
        security.logged_out(user=User._default_manager.get(pk=user.pk), session_key=request.session.session_key)
        logout(request)
        if is_api:
            return _api_error(status, code, message)
        messages.error(request, message)
        return redirect("org:login")

    def _check_token(self, request):
        """DRF authenticates tokens inside the view, after every middleware; the address is checked here."""
        header = request.META.get("HTTP_AUTHORIZATION", "").split()
        if len(header) != 2 or header[0].lower() != "token":
            return None
        from core.api.authentication import REQUEST_ATTR, find_token

        token = find_token(header[1])
        if token is None:
            return None  # DRF answers an unknown token itself
        setattr(request, REQUEST_ATTR, token)  # DRF's authentication takes it from here
        if token.user.status == User.Status.LEFT or not token.user.is_active:
            return _api_error(401, "authentication_failed", _("User inactive or deleted."))
        if not security.ip_allowed(token.user, getattr(request, "client_ip", None)):
            return _api_error(403, "ip_not_allowed", security.ip_error())
        return None

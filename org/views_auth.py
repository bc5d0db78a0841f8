"""Login (password, captcha, TOTP step), logout, password change, profile, two-factor setup,
login history and the security policy page. The decisions live in org.security."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import audit
from core.context import client_ip

from . import security
from .forms_auth import (
    LoginForm,
    LoginHistoryFilter,
    PasswordChangeForm,
    ProfileForm,
    SecurityPolicyForm,
    TotpConfirmForm,
    TotpDisableForm,
    TotpLoginForm,
)
from .models import LoginRecord, SecurityPolicy, User

PENDING_LOGIN = "_zg_pending_login"  # user id etc. between the password and the code step
TOTP_SETUP_SECRET = "_zg_totp_setup_secret"  # the secret being set up, saved on the user only once confirmed


def _meta(request) -> tuple[str | None, str]:
    ip = getattr(request, "client_ip", None) or client_ip(request)
    return ip, request.META.get("HTTP_USER_AGENT", "")[:300]


def _me(request) -> User:
    # A plain User, not the lazy request.user wrapper: audit entries need the real model class.
    return User.objects.select_related("department", "superior").get(pk=request.user.pk)


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _complete_login(request, user: User, next_url: str):
    auth_login(request, user)
    ip, agent = _meta(request)
    security.logged_in(user=user, ip=ip, user_agent=agent, session_key=request.session.session_key or "")
    return redirect(next_url)


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_next_url(request))
    ip, agent = _meta(request)
    if request.method != "POST":
        form = LoginForm(with_captcha=security.needs_captcha(username="", ip=ip))
        return render(request, "org/login.html", {"form": form, "next": _next_url(request)})

    username = request.POST.get("username", "").strip()[:150]
    form = LoginForm(request.POST, with_captcha=security.needs_captcha(username=username, ip=ip))
    if form.is_valid():
        attempt = security.check_password_step(username=form.cleaned_data["username"].strip(),
                                               password=form.cleaned_data["password"], ip=ip, user_agent=agent)
        if attempt.ok and attempt.user.totp_enabled:
            # Not logged in yet: only the pending user id is kept until the code is right.
            request.session.cycle_key()
            request.session[PENDING_LOGIN] = {"uid": attempt.user.pk, "backend": attempt.user.backend,
                                              "at": time.time(), "next": _next_url(request)}
            return redirect("org:login_totp")
        if attempt.ok:
            return _complete_login(request, attempt.user, _next_url(request))
        form.add_error(None, attempt.error)
    elif form.captcha_failed and username:
        security.record_attempt(username=username, user=User.objects.filter(username=username).first(),
                                result=LoginRecord.Result.BAD_CAPTCHA, ip=ip, user_agent=agent)
    if "captcha" not in form.fields and security.needs_captcha(username=username, ip=ip):
        form.add_captcha()
    return render(request, "org/login.html", {"form": form, "next": _next_url(request)})


@never_cache
def login_totp_view(request):
    pending = request.session.get(PENDING_LOGIN)
    user = User.objects.filter(pk=pending["uid"]).first() if pending else None
    if user is None or time.time() - pending["at"] > security.PENDING_LOGIN_SECONDS:
        request.session.pop(PENDING_LOGIN, None)
        messages.error(request, _("The login has expired, please sign in again."))
        return redirect("org:login")
    form = TotpLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip, agent = _meta(request)
        attempt = security.check_totp_step(user=user, code=form.cleaned_data["code"], ip=ip, user_agent=agent)
        if attempt.ok:
            del request.session[PENDING_LOGIN]
            attempt.user.backend = pending["backend"]
            return _complete_login(request, attempt.user, pending["next"])
        if attempt.result != LoginRecord.Result.BAD_TOTP:
            # Locked out, disabled or blocked meanwhile: back to the start with the same message as there.
            del request.session[PENDING_LOGIN]
            messages.error(request, attempt.error)
            return redirect("org:login")
        form.add_error("code", attempt.error)
    return render(request, "org/totp_login.html", {"form": form, "pending_user": user})


@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        security.logged_out(user=_me(request), session_key=request.session.session_key)
    auth_logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters()
@login_required
def password_change_view(request):
    user = _me(request)
    form = PasswordChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        old_key = request.session.session_key
        security.password_change(actor=user, user=user, new_password=form.cleaned_data["new_password1"])
        # Other sessions of this user end by themselves: their stored password hash no longer matches.
        update_session_auth_hash(request, user)
        security.session_rotated(old_key=old_key, new_key=request.session.session_key)
        messages.success(request, _("Your password has been changed."))
        return redirect("org:profile")
    context = {"form": form, "forced": user.must_change_password, "expired": security.password_expired(user)}
    return render(request, "org/password_change.html", context)


@login_required
def profile_view(request):
    user = _me(request)
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))  # validation edits its instance
    if request.method == "POST" and form.is_valid():
        try:
            security.profile_update(actor=user, user=user, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("org:profile")
    context = {
        "form": form, "profile": user, "roles": user.roles.all(),
        "recent_logins": LoginRecord.objects.filter(user=user)[:5],
        "require_totp": SecurityPolicy.current().require_totp,
    }
    return render(request, "org/profile.html", context)


@login_required
def totp_setup_view(request):
    user = _me(request)
    if user.totp_enabled:
        messages.info(request, _("Two-factor login is already on."))
        return redirect("org:profile")
    secret = request.session.get(TOTP_SETUP_SECRET) or security.totp_new_secret()
    request.session[TOTP_SETUP_SECRET] = secret
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.totp_enable(actor=user, user=user, secret=secret, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            del request.session[TOTP_SETUP_SECRET]
            messages.success(request, _("Two-factor login is on. You will be asked for a code at each login."))
            return redirect("org:profile")
    uri = security.totp_uri(user, secret)
    context = {"form": form, "qr_svg": mark_safe(security.totp_qr_svg(uri)),  # generated SVG, no user text in it
               "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
               "required": SecurityPolicy.current().require_totp}
    return render(request, "org/totp_setup.html", context)


@sensitive_post_parameters()
@login_required
def totp_disable_view(request):
    user = _me(request)
    if not user.totp_enabled:
        return redirect("org:profile")
    form = TotpDisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            security.totp_disable(actor=user, user=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Two-factor login is off."))
            return redirect("org:profile")
    return render(request, "org/totp_disable.html", {"form": form})


def _sees_all_logins(user) -> bool:
    return user.is_superuser or user.is_staff


@login_required
def login_history_view(request):
    see_all = _sees_all_logins(request.user)
    rows = LoginRecord.objects.select_related("user")
    if not see_all:
        rows = rows.filter(user=request.user)
    form = LoginHistoryFilter(request.GET or None, see_all=see_all)
    if form.is_valid():
        data = form.cleaned_data
        if data.get("user"):
            rows = rows.filter(user=data["user"])
        if data.get("result"):
            rows = rows.filter(result=data["result"])
        if data.get("date_from"):
            rows = rows.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            rows = rows.filter(created_at__date__lte=data["date_to"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "org/login_history.html", {"form": form, "page": page, "see_all": see_all})


@login_required
def security_policy_view(request):
    if not request.user.is_superuser:
        raise Http404
    policy = SecurityPolicy.current()
    form = SecurityPolicyForm(request.POST or None, instance=SecurityPolicy.objects.get(pk=policy.pk))
    if request.method == "POST" and form.is_valid():
        ip, _agent = _meta(request)
        try:
            security.security_policy_update(actor=_me(request), data=form.cleaned_data, actor_ip=ip)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The security policy has been saved."))
            return redirect("org:security_policy")
    history = audit.history_for(policy)[:10]
    return render(request, "org/security_policy.html", {"form": form, "history": history, "your_ip": _meta(request)[0]})

"""Login security: lockout and captcha counted from the database, IP allowlists, TOTP, password rules.

Failure counts are read from ``LoginRecord`` rows, never from process memory or a local cache, so a
lockout holds across every web process and machine that shares the database.
"""

from __future__ import annotations

import datetime
import hmac
import ipaddress
from dataclasses import dataclass

import pyotp
import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import get_password_validators, validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import audit
from core.audit import Action

from .models import LoginRecord, SecurityPolicy, User

Result = LoginRecord.Result
# Guesses at the secret: these lock the account. A wrong captcha or a blocked address proves nothing
# about the password, so they only bring up the captcha.
LOCKOUT_RESULTS = (Result.FAILED, Result.BAD_TOTP)
PENDING_LOGIN_SECONDS = 300
TOTP_ISSUER = "Zhanggui CRM"


def generic_error() -> str:
    # One message for wrong password, unknown user, disabled account and lockout: nothing to probe.
    return _("Invalid username or password.")


def ip_error() -> str:
    return _("Login from this address is not allowed.")


# --- IP allowlists -------------------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_allowlist(text: str) -> list[Network]:
    """Addresses or CIDR blocks, one per line; blank lines and ``# comments`` are skipped."""
    networks, bad = [], []
    for raw in (text or "").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            networks.append(ipaddress.ip_network(line, strict=False))
        except ValueError:
            bad.append(line)
    if bad:
        raise ValidationError(_("Not an IP address or CIDR block: %(lines)s") % {"lines": ", ".join(bad)})
    return networks


def _address_in(ip: str | None, text: str) -> bool:
    try:
        address = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    if getattr(address, "ipv4_mapped", None):
        address = address.ipv4_mapped
    try:
        networks = parse_allowlist(text)
    except ValidationError:
        # A list that cannot be read must not open the door; the forms refuse to save one anyway.
        return False
    return any(address.version == net.version and address in net for net in networks)


def ip_allowed_globally(ip: str | None, *, policy: SecurityPolicy | None = None) -> bool:
    policy = policy or SecurityPolicy.current()
    return not policy.ip_allowlist.strip() or _address_in(ip, policy.ip_allowlist)


def ip_allowed(user: User, ip: str | None, *, policy: SecurityPolicy | None = None) -> bool:
    """Allowed by the global list, and by at least one role list when any of the user's roles has one."""
    if not ip_allowed_globally(ip, policy=policy):
        return False
    from core.access import role_allowlists  # read with the user's grants: one query for both

    role_lists = [text for text in role_allowlists(user) if text.strip()]
    return not role_lists or any(_address_in(ip, text) for text in role_lists)


# --- failure counting ----------------------------------------------------------------------------

def _window_start(policy: SecurityPolicy) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=policy.lockout_minutes)


def _since_last_success(username: str, policy: SecurityPolicy):
    """Attempts for this user name inside the window that came after its last successful login."""
    rows = LoginRecord.objects.filter(username=username, created_at__gte=_window_start(policy))
    last_ok = rows.filter(result=Result.SUCCESS).order_by("-id").values_list("id", flat=True).first()
    return rows.filter(id__gt=last_ok) if last_ok else rows


def is_locked(username: str, *, policy: SecurityPolicy | None = None) -> bool:
    policy = policy or SecurityPolicy.current()
    if not policy.lockout_after:
        return False
    return _since_last_success(username, policy).filter(result__in=LOCKOUT_RESULTS).count() >= policy.lockout_after


def needs_captcha(*, username: str, ip: str | None, policy: SecurityPolicy | None = None) -> bool:
    """After ``captcha_after`` failed attempts of any kind for this user name or from this address."""
    policy = policy or SecurityPolicy.current()
    limit = policy.captcha_after
    if limit == 0:
        return True
    if username and _since_last_success(username, policy).exclude(result=Result.SUCCESS).count() >= limit:
        return True
    ip = _valid_ip(ip)
    if ip:
        recent = LoginRecord.objects.filter(ip=ip, created_at__gte=_window_start(policy)).exclude(result=Result.SUCCESS)
        return recent.count() >= limit
    return False


def _valid_ip(ip: str | None) -> str | None:
    # A proxy may forward junk ("unknown"); PostgreSQL's inet column would refuse it.
    try:
        return str(ipaddress.ip_address(ip or ""))
    except ValueError:
        return None


# --- recording attempts --------------------------------------------------------------------------

def record_attempt(*, username: str, user: User | None, result: str, ip: str | None, user_agent: str = "",
                   session_key: str = "") -> LoginRecord:
    """One LoginRecord per attempt plus the matching audit entry (LOGIN or LOGIN_FAILED)."""
    row = LoginRecord.objects.create(user=user, username=username[:150], ip=_valid_ip(ip), user_agent=user_agent[:300],
                                     result=result, session_key=session_key or "")
    if result == Result.SUCCESS:
        audit.log(actor=user, action=Action.LOGIN, instance=user)
    else:
        audit.log(actor=None, action=Action.LOGIN_FAILED, instance=user, model=None if user else User,
                  object_repr=username[:200], message=str(Result(result).label))
    return row


@dataclass
class Attempt:
    """What one credential check decided. ``user`` is set only when the password was right and usable."""

    user: User | None = None
    result: str | None = None  # the LoginRecord result written, or None when the password step passed
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.user is not None and self.result is None


def check_password_step(*, username: str, password: str, ip: str | None, user_agent: str = "") -> Attempt:
    """The first login step, shared by the login page and the token endpoint. Writes the record on failure."""
    policy = SecurityPolicy.current()

    def fail(result, error, user=None):
        record_attempt(username=username, user=user, result=result, ip=ip, user_agent=user_agent)
        return Attempt(user=None, result=result, error=error)

    known = User._default_manager.filter(username=username).first()
    if not ip_allowed_globally(ip, policy=policy):
        return fail(Result.BLOCKED_IP, ip_error(), known)
    locked = is_locked(username, policy=policy)
    # The password is checked even while locked out so both answers take the same time.
    user = authenticate(None, username=username, password=password)
    if locked:
        return fail(Result.LOCKED, generic_error(), known)
    if user is None:
        disabled = known is not None and not known.is_active and known.check_password(password)
        return fail(Result.INACTIVE if disabled else Result.FAILED, generic_error(), known)
    if user.status == User.Status.LEFT or not user.is_active:
        return fail(Result.INACTIVE, generic_error(), user)
    if not ip_allowed(user, ip, policy=policy):
        return fail(Result.BLOCKED_IP, ip_error(), user)
    return Attempt(user=user)


def check_totp_step(*, user: User, code: str, ip: str | None, user_agent: str = "") -> Attempt:
    """The second login step. A wrong code counts towards the lockout like a wrong password."""
    policy = SecurityPolicy.current()
    user = User._default_manager.get(pk=user.pk)

    def fail(result, error):
        record_attempt(username=user.username, user=user, result=result, ip=ip, user_agent=user_agent)
        return Attempt(user=None, result=result, error=error)

    if is_locked(user.username, policy=policy):
        return fail(Result.LOCKED, generic_error())
    if not user.is_active or user.status == User.Status.LEFT:
        return fail(Result.INACTIVE, generic_error())
    if not ip_allowed(user, ip, policy=policy):
        return fail(Result.BLOCKED_IP, ip_error())
    if not totp_accept(user, code):
        return fail(Result.BAD_TOTP, _("Wrong verification code."))
    return Attempt(user=user)


def logged_in(*, user: User, ip: str | None, user_agent: str, session_key: str = "") -> LoginRecord:
    """Call after the session login (or token issue) happened; the session key lets end_sessions find it."""
    return record_attempt(username=user.username, user=user, result=Result.SUCCESS, ip=ip, user_agent=user_agent,
                          session_key=session_key)


def logged_out(*, user: User, session_key: str | None) -> None:
    if session_key:
        LoginRecord.objects.filter(user=user, session_key=session_key, logout_at__isnull=True).update(logout_at=timezone.now())
    audit.log(actor=user, action=Action.LOGOUT, instance=user)


def session_rotated(*, old_key: str | None, new_key: str | None) -> None:
    """Keep the login record pointing at the session after Django changed its key (password change)."""
    if old_key and new_key and old_key != new_key:
        LoginRecord.objects.filter(session_key=old_key, logout_at__isnull=True).update(session_key=new_key)


# --- passwords -----------------------------------------------------------------------------------

class PolicyMinimumLengthValidator:
    """AUTH_PASSWORD_VALIDATORS entry whose minimum length is the one set on the security policy page."""

    def validate(self, password, user=None):
        min_length = SecurityPolicy.current().password_min_length
        if len(password) < min_length:
            raise ValidationError(
                ngettext("The password must contain at least %(min_length)d character.",
                         "The password must contain at least %(min_length)d characters.", min_length)
                % {"min_length": min_length}, code="password_too_short", params={"min_length": min_length})

    def get_help_text(self):
        min_length = SecurityPolicy.current().password_min_length
        return ngettext("At least %(min_length)d character.", "At least %(min_length)d characters.", min_length) % {
            "min_length": min_length}


def validate_new_password(password: str, user: User | None = None) -> None:
    """The configured validators, plus the policy length rule if the settings do not list it yet."""
    validators = get_password_validators(settings.AUTH_PASSWORD_VALIDATORS)
    if not any(isinstance(v, PolicyMinimumLengthValidator) for v in validators):
        validators.append(PolicyMinimumLengthValidator())
    validate_password(password, user, password_validators=validators)


def password_expired(user: User, *, policy: SecurityPolicy | None = None) -> bool:
    policy = policy or SecurityPolicy.current()
    if not policy.password_max_age_days:
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - datetime.timedelta(days=policy.password_max_age_days)


@transaction.atomic
def password_change(*, actor: User, user: User, new_password: str) -> None:
    validate_new_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    # No before/after here: the values are password hashes.
    audit.log(actor=actor, action=Action.UPDATE, instance=user, message=_("Password changed"))


# --- TOTP ----------------------------------------------------------------------------------------

def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def totp_qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _matching_counter(secret: str, code: str, after: int) -> int | None:
    """The time step (now ±1 for clock drift) whose code matches and that was not used before."""
    code = (code or "").strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6) or not secret:
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    for counter in (now - 1, now, now + 1):
        if counter > after and hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def totp_accept(user: User, code: str) -> bool:
    """Check a login code and burn its time step, atomically so a code is never accepted twice."""
    with transaction.atomic():
        locked = User._default_manager.select_for_update().get(pk=user.pk)
        if not locked.totp_enabled:
            return False
        counter = _matching_counter(locked.totp_secret, code, locked.totp_last_counter)
        if counter is None:
            return False
        User._default_manager.filter(pk=user.pk).update(totp_last_counter=counter)
        return True


@transaction.atomic
def totp_enable(*, actor: User, user: User, secret: str, code: str) -> None:
    counter = _matching_counter(secret, code, 0)
    if counter is None:
        raise ValidationError({"code": _("Wrong verification code. Check the time on your phone and try again.")})
    user.totp_secret, user.totp_enabled, user.totp_last_counter = secret, True, counter
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_counter"])
    audit.log(actor=actor, action=Action.UPDATE, instance=user, changes={"totp_enabled": [False, True]},
              message=_("Two-factor login turned on"))


@transaction.atomic
def totp_disable(*, actor: User, user: User, password: str) -> None:
    if not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    if SecurityPolicy.current().require_totp:
        raise ValidationError(_("The security policy requires two-factor login for everyone."))
    user.totp_secret, user.totp_enabled, user.totp_last_counter = "", False, 0
    user.save(update_fields=["totp_secret", "totp_enabled", "totp_last_counter"])
    audit.log(actor=actor, action=Action.UPDATE, instance=user, changes={"totp_enabled": [True, False]},
              message=_("Two-factor login turned off"))


# --- profile and policy --------------------------------------------------------------------------

PROFILE_FIELDS = ("last_name", "first_name", "email", "phone")


@transaction.atomic
def profile_update(*, actor: User, user: User, data: dict) -> User:
    """A user edits their own contact details; nothing else of the account is reachable from here."""
    user = User._default_manager.select_for_update().get(pk=user.pk)
    before = audit.snapshot(user)
    for name in PROFILE_FIELDS:
        if name in data:
            setattr(user, name, (data[name] or "").strip())
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in PROFILE_FIELDS])
    user.save(update_fields=list(PROFILE_FIELDS))
    changes = audit.diff(before, audit.snapshot(user))
    if changes:
        audit.log(actor=actor, action=Action.UPDATE, instance=user, changes=changes)
    return user


POLICY_FIELDS = ("captcha_after", "lockout_after", "lockout_minutes", "ip_allowlist", "password_min_length",
                 "password_max_age_days", "require_totp")


@transaction.atomic
def security_policy_update(*, actor: User, data: dict, actor_ip: str | None) -> SecurityPolicy:
    """Save the policy; refuses an allowlist that would shut out the administrator saving it."""
    policy = SecurityPolicy.objects.select_for_update().get(pk=SecurityPolicy.current().pk)
    before = audit.snapshot(policy)
    for name in POLICY_FIELDS:
        if name in data:
            setattr(policy, name, data[name])
    policy.full_clean()
    try:
        parse_allowlist(policy.ip_allowlist)
    except ValidationError as exc:
        raise ValidationError({"ip_allowlist": exc.messages})
    if not policy.lockout_minutes:
        # Also the window in which failed attempts bring up the captcha.
        raise ValidationError({"lockout_minutes": _("Set how long failed attempts are remembered.")})
    if policy.ip_allowlist.strip() and not _address_in(actor_ip, policy.ip_allowlist):
        raise ValidationError({"ip_allowlist": _("Your own address %(ip)s is not in the list; you would lock yourself out.")
                               % {"ip": actor_ip or "?"}})
    if policy.password_min_length < 4:
        raise ValidationError({"password_min_length": _("Passwords must be at least 4 characters long.")})
    policy.save()
    changes = audit.diff(before, audit.snapshot(policy))
    if changes:
        audit.log(actor=actor, action=Action.UPDATE, instance=policy, changes=changes)
    return policy

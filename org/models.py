"""Departments, roles with their grants, users, and login security records."""

import copy
import threading
import time

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import connection, models, transaction
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    """A node of the unlimited department tree. ``path`` ("/1/4/9/") makes subtree queries one LIKE."""

    name = models.CharField(_("name"), max_length=80)
    parent = models.ForeignKey("self", verbose_name=_("parent department"), null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    manager = models.ForeignKey("org.User", verbose_name=_("department head"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sort = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    STR_FIELDS = ("name",)  # what __str__ reads (list pages load only these of a related row)

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Scope(models.IntegerChoices):
    NONE = 0, _("None")
    OWN = 1, _("Own")
    DEPARTMENT = 2, _("Own department")
    SUBTREE = 3, _("Department and sub-departments")
    ALL = 4, _("All")


class Role(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.CharField(_("description"), max_length=200, blank=True)
    can_backup = models.BooleanField(_("may back up and restore"), default=False)
    # One address or CIDR block per line; empty means no restriction for this role.
    ip_allowlist = models.TextField(_("IP allowlist"), blank=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Grant(models.Model):
    """Data scope one role has for one operation in one module."""

    class Action(models.TextChoices):
        READ = "read", _("Read")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        SHARE = "share", _("Share")
        ASSIGN = "assign", _("Assign")
        EXPORT = "export", _("Export")
        PRINT = "print", _("Print")

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    module = models.CharField(_("module"), max_length=60)
    action = models.CharField(_("operation"), max_length=10, choices=Action.choices)
    scope = models.PositiveSmallIntegerField(_("data scope"), choices=Scope.choices, default=Scope.NONE)

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        constraints = [models.UniqueConstraint(fields=["role", "module", "action"], name="grant_unique")]


class FieldRule(models.Model):
    class Mode(models.TextChoices):
        HIDDEN = "hidden", _("Hidden")
        READONLY = "readonly", _("Read-only")

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="field_rules")
    # The kind of record ("customers.contact"), not the grant module: contacts share the customer
    # module's data scope but have fields of their own.
    module = models.CharField(_("record type"), max_length=60)
    field = models.CharField(_("field"), max_length=60)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)

    class Meta:
        verbose_name = _("field permission")
        verbose_name_plural = _("field permissions")
        constraints = [models.UniqueConstraint(fields=["role", "module", "field"], name="field_rule_unique")]


class User(AbstractUser):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), blank=True, related_name="users")
    title = models.CharField(_("position"), max_length=60, blank=True)
    phone = models.CharField(_("mobile"), max_length=30, blank=True)
    superior = models.ForeignKey("self", verbose_name=_("superior"), null=True, blank=True, on_delete=models.SET_NULL, related_name="subordinates")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_enabled = models.BooleanField(_("two-factor login"), default=False)
    # The last accepted TOTP time step: a code is good once, so a watched code cannot be replayed.
    totp_last_counter = models.PositiveBigIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["id"]

    STR_FIELDS = ("last_name", "first_name", "username")  # what __str__ reads (list pages load only these of a related row)

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names are written family name first, without a space.
        return f"{self.last_name}{self.first_name}".strip()


class SecurityPolicy(models.Model):
    """Company-wide login rules; a single row edited on the security settings page."""

    captcha_after = models.PositiveSmallIntegerField(_("captcha after failed attempts"), default=3,
                                                     help_text=_("0 = always ask for the captcha."))
    lockout_after = models.PositiveSmallIntegerField(_("lock out after failed attempts"), default=5,
                                                     help_text=_("0 = never lock an account."))
    lockout_minutes = models.PositiveSmallIntegerField(_("lockout minutes"), default=15,
                                                       help_text=_("Failed attempts older than this are forgotten."))
    ip_allowlist = models.TextField(_("IP allowlist"), blank=True,
                                    help_text=_("One address or CIDR block per line, e.g. 192.168.1.0/24. Empty = any address."))
    password_min_length = models.PositiveSmallIntegerField(_("minimum password length"), default=8)
    password_max_age_days = models.PositiveSmallIntegerField(_("password expires after days (0 = never)"), default=0)
    require_totp = models.BooleanField(_("require two-factor login for everyone"), default=False)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self):
        return str(_("Security policy"))

    @classmethod
    def current(cls) -> "SecurityPolicy":
        """The policy, read once per process and kept until it is saved (see _PolicyCache)."""
        return _policy_cache.get(cls)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _policy_cache.saved(self)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        _policy_cache.clear()
        return result


class _PolicyCache:
    """Every request reads the policy (org middleware), so each process keeps it in memory.

    A save in this process drops the shared copy at once. While the saving transaction is open, only
    that transaction sees the new values: they are kept per thread beside the transaction's
    on-commit hook, and count only while that hook is still queued (a rollback, also of a savepoint,
    removes it; a commit runs it, which drops the copies). A save made by another process (another
    gunicorn worker) reaches this one after at most ``TTL`` seconds, when the copy is read again.
    """

    TTL = 30.0

    def __init__(self):
        self.shared: tuple[float, SecurityPolicy] | None = None
        self.local = threading.local()

    def clear(self) -> None:
        self.shared = None
        self.local.pending = None

    def get(self, model) -> "SecurityPolicy":
        pending = getattr(self.local, "pending", None)
        if pending is not None:
            hook, policy = pending
            if connection.in_atomic_block and any(entry[1] is hook for entry in connection.run_on_commit):
                return copy.copy(policy)
            self.local.pending = None  # that transaction (or savepoint) is over
        shared = self.shared
        if shared is not None and time.monotonic() - shared[0] < self.TTL:
            return copy.copy(shared[1])
        obj, created = model.objects.get_or_create(pk=1)
        # Only a row read outside a transaction is known to be committed: one read inside may be that
        # transaction's own (just created, or saved) and vanish with a rollback.
        if not created and not connection.in_atomic_block:
            self.shared = (time.monotonic(), copy.copy(obj))
        return obj

    def saved(self, policy) -> None:
        self.shared = None
        self.local.pending = None
        if connection.in_atomic_block:
            def committed():
                self.clear()

            self.local.pending = (committed, copy.copy(policy))
            transaction.on_commit(committed)


_policy_cache = _PolicyCache()


def _forget_policy(**kwargs):
    _policy_cache.clear()


# A migrate or flush (also between transactional tests) may replace the row wholesale.
post_migrate.connect(_forget_policy, dispatch_uid="org.security_policy_cache")


class LoginRecord(models.Model):
    """Every login attempt, successful or not; the failure count for lockout is read from here."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILED = "failed", _("Wrong password")
        LOCKED = "locked", _("Locked out")
        BLOCKED_IP = "blocked_ip", _("IP not allowed")
        BAD_CAPTCHA = "bad_captcha", _("Wrong captcha")
        BAD_TOTP = "bad_totp", _("Wrong verification code")
        INACTIVE = "inactive", _("Account disabled")

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="login_records", verbose_name=_("user"))
    username = models.CharField(_("user name"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    created_at = models.DateTimeField(_("login time"), auto_now_add=True, db_index=True)
    logout_at = models.DateTimeField(_("logout time"), null=True, blank=True)

    class Meta:
        verbose_name = _("login record")
        verbose_name_plural = _("login history")
        ordering = ["-id"]
        indexes = [models.Index(fields=["username", "-created_at"], name="login_username_idx")]

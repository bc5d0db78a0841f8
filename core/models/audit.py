from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class _AsJsonb(models.Func):
    """The value as jsonb on PostgreSQL; the value itself elsewhere."""

    template = "%(expressions)s"
    output_field = models.JSONField()

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="(%(expressions)s)::jsonb", **extra)


def _jsonb(lhs):
    return _AsJsonb(lhs) if isinstance(getattr(lhs, "output_field", None), LogJSONField) else lhs


def _on_jsonb(found):
    """A lookup or transform of JSONField (a class, or the factory of key transforms) applied to the
    value read as jsonb."""
    if not isinstance(found, type):
        return lambda lhs, *args, **kwargs: found(_jsonb(lhs), *args, **kwargs)
    return type(found.__name__, (found,), {
        "__init__": lambda self, lhs, *args, **kwargs: found.__init__(self, _jsonb(lhs), *args, **kwargs)})


class LogJSONField(models.JSONField):
    """JSON kept as written: PostgreSQL's ``json`` rather than ``jsonb`` (elsewhere the same as
    JSONField). For the audit log and versions, written once per change, read back whole and never
    searched inside: ``json`` only checks the text, while ``jsonb`` also converts it into its binary
    form, which took 14 µs of a 1 KB record's 18 (an import writes two per row)."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    # Lookups inside the value (changes__amount=…, changes__has_key=…) read it as jsonb, converted when
    # the statement runs; json has no operators to compare or test keys with.
    def get_transform(self, name):
        transform = super().get_transform(name)
        return _on_jsonb(transform) if transform is not None else None

    def get_lookup(self, name):
        lookup = super().get_lookup(name)
        return _on_jsonb(lookup) if lookup is not None else None

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # psycopg reads json values itself (Django has it leave only jsonb as text)
        return super().from_db_value(value, expression, connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        from django.db.backends.postgresql.operations import get_json_dumps
        from psycopg.types.json import Json

        if not prepared:
            value = self.get_prep_value(value)
        return Json(value, dumps=get_json_dumps(self.encoder))


class AuditLog(models.Model):
    """Append-only record of who did what. Written by services, never edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        RESTORE = "restore", _("Restore")
        PURGE = "purge", _("Purge")
        EXPORT = "export", _("Export")
        PRINT = "print", _("Print")
        ASSIGN = "assign", _("Assign")
        SHARE = "share", _("Share")
        LOGIN = "login", _("Log in")
        LOGOUT = "logout", _("Log out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        OTHER = "other", _("Other")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # Indexed as the first column of audit_record_idx, not on its own.
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     db_index=False)
    object_id = models.BigIntegerField(null=True, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes = LogJSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-id"], name="audit_record_idx")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are append-only")


class Version(models.Model):
    """A full snapshot of a record after each saved change, so any earlier state can be restored."""

    # Indexed as the first column of version_unique_number, not on its own.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    object_id = models.BigIntegerField()
    number = models.PositiveIntegerField(_("version"))
    data = LogJSONField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("actor"))
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "number"], name="version_unique_number")]

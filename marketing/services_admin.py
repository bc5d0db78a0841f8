"""Administrator writes of the marketing set-up: lead teams and web forms (audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.audit import Action
from core.basedata import may_manage
from org.selectors import working_users

from .models import LeadTeam, WebForm
from .models.webform import slug_validator

TEAM_FIELDS = ("name", "department", "active")
FORM_FIELDS = ("slug", "title", "intro", "fields", "required", "team", "source", "campaign", "thank_you", "active",
               "hourly_limit")


def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only administrators may change the marketing set-up."))


@transaction.atomic
def team_save(*, actor, data: dict, members=(), instance: LeadTeam | None = None) -> LeadTeam:
    _require_manager(actor)
    name = " ".join(str(data.get("name") or "").split())
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})
    if LeadTeam.objects.filter(name=name).exclude(pk=getattr(instance, "pk", None)).exists():
        raise ValidationError({"name": [_("A team with this name exists.")]})
    member_ids = sorted({getattr(m, "pk", m) for m in members})
    if len(working_users().filter(pk__in=member_ids)) != len(member_ids):
        raise ValidationError({"members": [_("Unknown or disabled user.")]})
    if not member_ids and data.get("department") is None:
        raise ValidationError({"department": [_("Choose a department or the members.")]})
    team = instance or LeadTeam()
    before = audit.snapshot(team) if instance else {}
    old_members = sorted(team.members.values_list("pk", flat=True)) if instance else []
    team.name, team.department, team.active = name, data.get("department"), bool(data.get("active", True))
    team.save()
    team.members.set(member_ids)
    changes = audit.diff(before, audit.snapshot(team))
    if old_members != member_ids:
        changes["members"] = [old_members, member_ids]
    audit.log(actor=actor, action=Action.UPDATE if instance else Action.CREATE, instance=team, changes=changes)
    return team


@transaction.atomic
def team_delete(*, actor, instance: LeadTeam) -> None:
    _require_manager(actor)
    if instance.web_forms.exists():
        raise ValidationError(_("Web forms route to this team; change them first or deactivate the team."))
    audit.log(actor=actor, action=Action.DELETE, instance=instance, changes={"snapshot": audit.snapshot(instance)})
    instance.delete()


@transaction.atomic
def form_save(*, actor, data: dict, instance: WebForm | None = None) -> WebForm:
    _require_manager(actor)
    errors: dict[str, list] = {}
    slug = str(data.get("slug") or "").strip().lower()
    try:
        slug_validator(slug)
    except ValidationError as exc:
        errors["slug"] = exc.messages
    if WebForm.objects.filter(slug=slug).exclude(pk=getattr(instance, "pk", None)).exists():
        errors["slug"] = [_("Another form uses this address key.")]
    title = " ".join(str(data.get("title") or "").split())
    if not title:
        errors["title"] = [_("Enter a title.")]
    allowed = [name for name, _label in WebForm.FIELD_CHOICES]
    fields = [name for name in allowed if name in set(data.get("fields") or [])]
    required = [name for name in fields if name in set(data.get("required") or [])]
    unknown = set(data.get("fields") or []) - set(allowed)
    if unknown:
        errors["fields"] = [_("Unknown field.")]
    if not {"mobile", "phone", "email", "wechat"} & set(required):
        errors["required"] = [_("Make at least one of mobile, phone, email or WeChat required, so the lead can be reached.")]
    try:
        limit = int(data.get("hourly_limit", 5))
    except (TypeError, ValueError):
        limit = -1
    if not 1 <= limit <= 1000:
        errors["hourly_limit"] = [_("Enter a number from 1 to 1000.")]
    source = data.get("source")
    if source is not None and source.kind != "customer_source":
        errors["source"] = [_("Choose a customer source.")]
    if errors:
        raise ValidationError(errors)
    form = instance or WebForm(created_by=actor)
    before = audit.snapshot(form) if instance else {}
    form.slug, form.title, form.fields, form.required, form.hourly_limit = slug, title, fields, required, limit
    form.intro = str(data.get("intro") or "").strip()
    form.thank_you = str(data.get("thank_you") or "").strip()
    form.campaign = " ".join(str(data.get("campaign") or "").split())[:120]
    form.team, form.source, form.active = data.get("team"), source, bool(data.get("active", True))
    form.full_clean()
    form.save()
    audit.log(actor=actor, action=Action.UPDATE if instance else Action.CREATE, instance=form,
              changes=audit.diff(before, audit.snapshot(form)))
    return form

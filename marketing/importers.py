"""Spreadsheet import of leads (core.imports): basic data by name or code, regions by name, valid
phones, and duplicates found among live leads by normalised phone or email — a batch at a time on
indexed keys. Imported leads are owned by the importing user or by the owner column; leads whose
owner column is "pool" / "线索池" wait unassigned in the pool."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from core.imports import ImporterDefinition, Match, Row, RowError, register_importer
from core.imports.mapping import norm
from core.imports.parsing import (
    choice_map,
    create_with_audit,
    custom_definitions,
    max_lengths,
    model_fields,
    parse_choice,
    parse_custom,
    text,
    update_with_audit,
)
from core.models import LookupItem
from customers import regions, validators
from customers.models import Customer, Region

from .keys import fill_keys
from .models import Lead

LOOKUPS = {"industry": "industry", "source": "customer_source"}
COMMENT = gettext_lazy("Imported")
POOL_WORDS = {"pool", "线索池", "公海", "未分配"}
TEXT_FIELDS = ("company", "contact_name", "title", "email", "wechat", "address", "campaign", "source_detail",
               "requirement", "notes")

LEAD_SPEC = [
    ("company", False, ("公司", "公司名称", "单位", "单位名称", "企业名称", "客户名称", "company")),
    ("contact_name", True, ("姓名", "联系人", "联系人姓名", "name", "contact")),
    ("title", False, ("职务", "职位", "title")),
    ("mobile", False, ("手机", "手机号", "移动电话", "mobile")),
    ("phone", False, ("电话", "座机", "办公电话", "phone", "tel")),
    ("email", False, ("邮箱", "电子邮件", "email", "e-mail")),
    ("wechat", False, ("微信", "微信号", "wechat")),
    ("province", False, ("省", "省份")),
    ("city", False, ("市", "城市")),
    ("address", False, ("地址", "详细地址")),
    ("industry", False, ("行业", "所属行业")),
    ("source", False, ("来源", "线索来源", "客户来源")),
    ("campaign", False, ("活动", "市场活动", "campaign")),
    ("source_detail", False, ("来源说明", "来源详情")),
    ("status", False, ("状态", "线索状态")),
    ("requirement", False, ("需求", "需求描述")),
    ("notes", False, ("备注", "说明")),
    ("owner", False, ("负责人", "所有者", "业务员", "owner")),
]


def _regions() -> dict[int, dict[str, list]]:
    out: dict[int, dict[str, list]] = {1: defaultdict(list), 2: defaultdict(list)}
    for region in Region.objects.filter(level__in=(1, 2)):
        for key in {norm(region.name), norm(regions.short_name(region.name))}:
            if key:
                out[region.level][key].append(region)
    return out


class LeadImporter(ImporterDefinition):
    entity = "marketing.lead"
    label = gettext_lazy("Leads")
    model = Lead
    list_url_name = "marketing:lead_list"

    def fields(self, actor):
        spec = [s for s in LEAD_SPEC if s[0] != "owner" or access.can(actor, "assign", Lead)]
        return model_fields(actor, Lead, spec)

    def begin(self, actor) -> dict:
        from org.selectors import working_users

        lookups: dict[str, dict] = defaultdict(dict)
        for item in LookupItem.objects.filter(kind__in=LOOKUPS.values(), active=True):
            lookups[item.kind].setdefault(norm(item.code), item)
            lookups[item.kind][norm(item.name)] = item
        users: dict[str, list] = defaultdict(list)
        for user in working_users().select_related("department"):
            for key in {norm(user.username), norm(user.get_full_name()), norm(f"{user.last_name}{user.first_name}")}:
                if key:
                    users[key].append(user)
        statuses = [(v, label) for v, label in Lead.Status.choices if v in Lead.OPEN]
        return {"actor": actor, "lookups": lookups, "regions": _regions(), "users": users,
                "status": choice_map(statuses), "custom": custom_definitions(Lead), "lengths": max_lengths(Lead)}

    # ---- one row, no queries ----------------------------------------------------------------------
    def clean(self, row: Row, ctx: dict) -> None:
        raw, data = row.raw, row.data
        for name in TEXT_FIELDS:
            if name in raw:
                value = " ".join(text(raw[name]).split())
                if value and len(value) > ctx["lengths"].get(name, 10_000):
                    row.errors.append(RowError(name, _("At most %(n)s characters.") % {"n": ctx["lengths"][name]}, value))
                elif value:
                    data[name] = value
        for name in ("mobile", "phone"):
            if raw.get(name) not in ("", None):
                value = unicodedata.normalize("NFKC", text(raw[name])).strip()
                try:
                    validators.validate_phone(value)
                except ValidationError as exc:
                    row.errors.append(RowError(name, "; ".join(exc.messages), raw[name]))
                data[name] = value
        if data.get("email"):
            try:
                from django.core.validators import validate_email

                validate_email(data["email"])
            except ValidationError:
                row.errors.append(RowError("email", _("Enter a valid email address."), data["email"]))
        for name, kind in LOOKUPS.items():
            if raw.get(name) not in ("", None):
                item = ctx["lookups"][kind].get(norm(raw[name]))
                if item is None:
                    row.errors.append(RowError(name, _("Not in the basic data list."), raw[name]))
                else:
                    data[name] = item
        if raw.get("status") not in ("", None):
            try:
                data["status"] = parse_choice("status", raw["status"], ctx["status"])
            except RowError as err:
                row.errors.append(err)
        self._region(row, ctx)
        self._owner(row, ctx)
        for key, field in ctx["custom"].items():
            if key in raw and raw[key] not in ("", None):
                try:
                    data[key] = parse_custom(key, field, raw[key])
                except RowError as err:
                    row.errors.append(err)
        if not any(data.get(n) for n in ("mobile", "phone", "email", "wechat")):
            row.errors.append(RowError("mobile", _("Enter at least one way to reach the lead: mobile, phone, email or WeChat.")))
        probe = Lead(**{k: v for k, v in data.items() if k in ("company", "contact_name", "mobile", "phone", "email")})
        fill_keys(probe)
        data["_phones"] = [p for p in (probe.phone_norm, probe.phone2_norm) if p]
        data["_email"] = probe.email_norm

    def _region(self, row: Row, ctx: dict) -> None:
        raw, maps = row.raw, ctx["regions"]
        province = city = None
        if raw.get("province") not in ("", None):
            found = maps[1].get(norm(raw["province"]), [])
            if len(found) != 1:
                row.errors.append(RowError("province", _("Unknown region."), raw["province"]))
                return
            province = found[0]
        if raw.get("city") not in ("", None):
            found = [c for c in maps[2].get(norm(raw["city"]), []) if province is None or c.parent_id == province.pk]
            if len(found) != 1:
                row.errors.append(RowError("city", _("Unknown region.") if not found else
                                           _("More than one region has this name; add the province or city."), raw["city"]))
                return
            city = found[0]
            province = province or city.parent
        row.data.update({k: v for k, v in (("province", province), ("city", city)) if v})

    def _owner(self, row: Row, ctx: dict) -> None:
        raw = row.raw.get("owner")
        if raw in ("", None):
            return
        if norm(raw) in POOL_WORDS:
            row.data["_pool"] = True
            return
        found = ctx["users"].get(norm(raw), [])
        if len(found) != 1:
            row.errors.append(RowError("owner", _("Unknown user.") if not found else _("More than one user has this name."), raw))
        else:
            row.data["owner"] = found[0]

    def keys(self, row: Row) -> list[str]:
        return [f"ph:{p}" for p in row.data.get("_phones", [])] + (
            [f"em:{row.data['_email']}"] if row.data.get("_email") else [])

    # ---- a batch: matching and writing -------------------------------------------------------------
    def find_existing(self, rows: list[Row], ctx: dict) -> None:
        phones = {p for r in rows for p in r.data.get("_phones", [])}
        emails = {r.data["_email"] for r in rows if r.data.get("_email")}
        if not phones and not emails:
            return
        index: dict[tuple[str, str], int] = {}
        labels = {}
        cond = Q(phone_norm__in=phones) | Q(phone2_norm__in=phones) | Q(email_norm__in=emails)
        for pk, label, p1, p2, em in Lead.objects.filter(cond).values_list("pk", "company", "phone_norm", "phone2_norm",
                                                                           "email_norm"):
            labels[pk] = label
            for kind, value in (("phone", p1), ("phone", p2), ("email", em)):
                if value:
                    index.setdefault((kind, value), pk)
        for row in rows:
            hits = [("phone", index[("phone", p)]) for p in row.data.get("_phones", []) if ("phone", p) in index]
            if row.data.get("_email") and ("email", row.data["_email"]) in index:
                hits.append(("email", index[("email", row.data["_email"])]))
            if hits:
                row.match = Match(pk=hits[0][1], kind=hits[0][0], exact=True)
        pks = [r.match.pk for r in rows if r.match]
        if pks:
            actor = ctx["actor"]
            readable = set(access.visible_to(actor, "read", Lead).filter(pk__in=pks).values_list("pk", flat=True))
            updatable = set(access.visible_to(actor, "update", Lead).filter(pk__in=pks)
                            .exclude(status=Lead.Status.CONVERTED).values_list("pk", flat=True))
            hidden = access.hidden_fields(actor, Lead)
            for row in rows:
                if row.match:
                    row.match.readable = row.match.pk in readable
                    row.match.updatable = row.match.pk in updatable
                    row.match.label = labels[row.match.pk] if "company" not in hidden else f"#{row.match.pk}"

    def _model_values(self, data: dict) -> dict:
        return {k: v for k, v in data.items() if not k.startswith("_") and not k.startswith("custom.")}

    def create(self, rows: list[Row], ctx: dict) -> list:
        actor, now = ctx["actor"], timezone.now()
        objs = []
        for row in rows:
            fields = self._model_values(row.data)
            owner = None if row.data.get("_pool") else (fields.pop("owner", None) or actor)
            fields.pop("owner", None)
            obj = Lead(**fields, owner=owner, department=owner.department if owner else actor.department,
                       created_by=actor, origin=Lead.Origin.IMPORT, assigned_at=now if owner else None,
                       custom={k[7:]: v for k, v in row.data.items() if k.startswith("custom.")})
            fill_keys(obj)
            objs.append(obj)
        created = create_with_audit(actor=actor, model=Lead, objs=objs, comment=str(COMMENT))
        _refresh_hints(created)
        return created

    def update(self, rows: list[Row], ctx: dict) -> list:
        from core.audit import snapshot

        actor = ctx["actor"]
        locked = {lead.pk: lead for lead in access.visible_to(actor, "update", Lead.objects.select_for_update(of=("self",)))
                  .filter(pk__in=[r.match.pk for r in rows])}
        changed, applied = [], []
        for row in rows:
            lead = locked.get(row.match.pk)
            if lead is None or lead.status == Lead.Status.CONVERTED:
                row.errors.append(RowError("", _("Exists, you may not change it; skipped.")))
                continue
            before = snapshot(lead)
            for key, value in self._model_values(row.data).items():
                if key not in ("owner", "status"):
                    setattr(lead, key, value)
            for key, value in row.data.items():
                if key.startswith("custom."):
                    lead.custom = {**lead.custom, key[7:]: value}
            fill_keys(lead)
            changed.append((lead, before))
            applied.append(lead)
        update_with_audit(actor=actor, model=Lead, changed=changed, comment=str(COMMENT),
                          derived=("search_text", "phone_norm", "phone2_norm", "email_norm", "name_key"))
        _refresh_hints(applied)
        return applied

    def describe(self, match: Match) -> str:
        return match.label if match.readable else ""


def _refresh_hints(leads: list) -> None:
    """Set the "possible existing customer" flag of many leads with two queries."""
    if not leads:
        return
    phones = {p for lead in leads for p in (lead.phone_norm, lead.phone2_norm) if p}
    names = {lead.name_key for lead in leads if len(lead.name_key) >= 2}
    known = set(Customer.objects.filter(Q(phone_norm__in=phones) | Q(name_key__in=names))
                .values_list("phone_norm", "name_key"))
    known_phones = {p for p, _n in known if p}
    known_names = {n for _p, n in known if n}
    flagged = [lead.pk for lead in leads if {lead.phone_norm, lead.phone2_norm} & known_phones - {""}
               or lead.name_key in known_names]
    if flagged:
        Lead.all_objects.filter(pk__in=flagged).update(customer_hint=True)


register_importer(LeadImporter())

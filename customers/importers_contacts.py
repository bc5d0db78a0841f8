"""Spreadsheet import of contacts: each row names its customer by code or exact name, among the
customers the user may change (as adding a contact by hand needs); a contact is the same as a
stored one when its customer matches and its mobile or its name does."""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from core.imports import ImporterDefinition, Match, Row, RowError
from core.imports.mapping import norm
from core.imports.parsing import (
    choice_map,
    create_with_audit,
    custom_definitions,
    max_lengths,
    model_fields,
    parse_choice,
    parse_custom,
    parse_date,
    text,
    update_with_audit,
)

from . import dedup, validators
from .models import Contact, Customer
from .models.contact import phone_validator
from .search import refresh_contact_keys

COMMENT = gettext_lazy("Imported")
CONTACT_SPEC = [
    ("customer", True, ("客户", "客户名称", "公司", "公司名称", "客户编号", "所属客户")),
    ("name", True, ("姓名", "联系人", "联系人姓名", "name")),
    ("title", False, ("职务", "职位")),
    ("department_name", False, ("部门", "所在部门")),
    ("mobile", False, ("手机", "手机号", "移动电话", "mobile")),
    ("phone", False, ("电话", "座机", "办公电话", "phone")),
    ("email", False, ("邮箱", "电子邮件", "email", "e-mail")),
    ("wechat", False, ("微信", "微信号", "wechat")),
    ("gender", False, ("性别",)),
    ("birthday", False, ("生日", "出生日期")),
    ("decision_role", False, ("决策角色",)),
    ("attitude", False, ("态度",)),
    ("notes", False, ("备注", "说明")),
]


class ContactImporter(ImporterDefinition):
    entity = "customers.contact"
    label = gettext_lazy("Contacts")
    model = Contact
    list_url_name = "customers:contact_list"

    def fields(self, actor):
        fields = model_fields(actor, Contact, CONTACT_SPEC)
        for field in fields:
            if field.name == "customer":
                field.help = _("Customer code or exact name")
        return fields

    def begin(self, actor) -> dict:
        return {"actor": actor, "gender": choice_map([*Contact.Gender.choices, ("male", "男"), ("female", "女"),
                                                      ("male", "M"), ("female", "F")]),
                "decision_role": choice_map(Contact.DecisionRole.choices),
                "attitude": choice_map(Contact.Attitude.choices),
                "custom": custom_definitions(Contact), "lengths": max_lengths(Contact)}

    def clean(self, row: Row, ctx: dict) -> None:
        raw, data, lengths = row.raw, row.data, ctx["lengths"]
        for name in ("name", "title", "department_name", "mobile", "phone", "email", "wechat", "notes"):
            if raw.get(name) in ("", None):
                continue
            value = unicodedata.normalize("NFKC", text(raw[name])) if name in ("mobile", "phone") else text(raw[name])
            if len(value) > lengths.get(name, 10_000):
                row.errors.append(RowError(name, _("At most %(n)s characters.") % {"n": lengths[name]}, value))
                continue
            data[name] = value
        data["_customer"] = text(raw.get("customer"))
        for name in ("mobile", "phone"):
            if data.get(name):
                try:
                    phone_validator(data[name])
                except ValidationError as exc:
                    row.errors.append(RowError(name, "; ".join(exc.messages), data[name]))
        if data.get("mobile"):
            data["_mobile_norm"] = validators.normalize_phone(data["mobile"]) or data["mobile"]
        if data.get("email"):
            try:
                validate_email(data["email"])
            except ValidationError:
                row.errors.append(RowError("email", _("Enter a valid email address."), data["email"]))
        for name in ("gender", "decision_role", "attitude"):
            if raw.get(name) not in ("", None):
                try:
                    data[name] = parse_choice(name, raw[name], ctx[name])
                except RowError as err:
                    row.errors.append(err)
        if raw.get("birthday") not in ("", None):
            try:
                day = parse_date("birthday", raw["birthday"])
                if day > timezone.localdate() or day.year < 1900:
                    raise RowError("birthday", _("Enter a birthday in the past."), raw["birthday"])
                data["birthday"] = day
            except RowError as err:
                row.errors.append(err)
        for key, field in ctx["custom"].items():
            if key in raw:
                try:
                    data[key] = parse_custom(key, field, raw[key])
                except RowError as err:
                    row.errors.append(err)

    def keys(self, row: Row) -> list[str]:
        customer = norm(row.data.get("_customer"))
        keys = [f"n:{customer}|{norm(row.data.get('name'))}"]
        if row.data.get("_mobile_norm"):
            keys.append(f"m:{customer}|{row.data['_mobile_norm']}")
        return keys

    def find_existing(self, rows: list[Row], ctx: dict) -> None:
        if not rows:
            return
        actor = ctx["actor"]
        texts = {r.data["_customer"] for r in rows}
        keys = {dedup.name_key(t) for t in texts} - {""}
        by_code, by_name = {}, defaultdict(list)
        for pk, code, name in access.visible_to(actor, "update", Customer).filter(
                Q(code__in=texts) | Q(name_key__in=keys)).values_list("pk", "code", "name"):
            by_code[code] = pk
            by_name[name].append(pk)
        for row in rows:
            name = row.data["_customer"]
            found = [by_code[name]] if name in by_code else by_name.get(name, [])
            if len(found) != 1:
                row.errors.append(RowError("customer", _("More than one customer has this name; use the code.") if found
                                           else _("Unknown customer, or one you may not change."), name))
            else:
                row.data["customer_id"] = found[0]
        ids = {r.data["customer_id"] for r in rows if "customer_id" in r.data}
        stored = defaultdict(list)
        for pk, customer_id, name, mobile in Contact.objects.filter(customer_id__in=ids).values_list(
                "pk", "customer_id", "name", "mobile"):
            stored[(customer_id, "n", norm(name))].append((pk, name))
            if mobile:
                stored[(customer_id, "m", validators.normalize_phone(mobile) or mobile)].append((pk, name))
        for row in rows:
            cid = row.data.get("customer_id")
            if cid is None:
                continue
            hits = stored.get((cid, "m", row.data.get("_mobile_norm")), []) or stored.get((cid, "n", norm(row.data.get("name"))), [])
            if hits:
                row.match = Match(pk=hits[0][0], kind="mobile" if row.data.get("_mobile_norm") and stored.get(
                    (cid, "m", row.data["_mobile_norm"])) else "name", exact=False, label=hits[0][1])
        pks = [r.match.pk for r in rows if r.match]
        if pks:
            readable = set(access.visible_to(actor, "read", Contact).filter(pk__in=pks).values_list("pk", flat=True))
            updatable = set(access.visible_to(actor, "update", Contact).filter(pk__in=pks).values_list("pk", flat=True))
            for row in rows:
                if row.match:
                    row.match.readable, row.match.updatable = row.match.pk in readable, row.match.pk in updatable
                    if not row.match.readable:
                        row.match.label = ""

    def _fields(self, row: Row) -> dict:
        return {k: v for k, v in row.data.items() if not k.startswith("_") and not k.startswith("custom.")}

    def create(self, rows: list[Row], ctx: dict) -> list:
        actor = ctx["actor"]
        objs = [Contact(**self._fields(row), owner=actor, department_id=actor.department_id, created_by=actor,
                        custom={k[7:]: v for k, v in row.data.items() if k.startswith("custom.")}) for row in rows]
        created = create_with_audit(actor=actor, model=Contact, objs=objs, comment=str(COMMENT))
        # Contacts are part of their customer's search keys.
        refresh_contact_keys({c.customer_id for c in created}, tokens_of=_tokens_of(ctx))
        return created

    def update(self, rows: list[Row], ctx: dict) -> list:
        from core.audit import snapshot

        actor = ctx["actor"]
        locked = {c.pk: c for c in access.visible_to(actor, "update", Contact.objects.select_for_update(of=("self",)))
                  .filter(pk__in=[r.match.pk for r in rows])}
        changed, applied = [], []
        for row in rows:
            obj = locked.get(row.match.pk)
            if obj is None:
                row.errors.append(RowError("", _("Exists (not yours), skipped.")))
                continue
            before = snapshot(obj)
            for key, value in self._fields(row).items():
                setattr(obj, key, value)
            for key, value in row.data.items():
                if key.startswith("custom."):
                    obj.custom = {**obj.custom, key[7:]: value}
            changed.append((obj, before))
            applied.append(obj)
        update_with_audit(actor=actor, model=Contact, changed=changed, comment=str(COMMENT))
        refresh_contact_keys({c.customer_id for c in applied}, tokens_of=_tokens_of(ctx))
        return applied

    def describe(self, match: Match) -> str:
        return match.label if match.readable else ""


def _tokens_of(ctx: dict):
    """customers.search.name_tokens with the import's pinyin cache (importers._pinyin)."""
    from .importers import _pinyin

    cache = ctx.setdefault("pinyin", {})
    return lambda name: _pinyin(name, cache)

"""Spreadsheet import of customers and contacts (core.imports), with the customer services' rules:
credit code check digit, valid phones, status values, basic data by name or code, regions by name
(北京 / 北京市 / 朝阳区) with the chain filled upwards, and duplicates found by code, credit code,
normalised phone or name core (customers.dedup) — a batch at a time on indexed keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access, audit, numbering
from core.imports import ImporterDefinition, Match, Row, RowError, bulk, register_importer
from core.imports.mapping import norm
from core.imports.parsing import (
    choice_map,
    custom_definitions,
    max_lengths,
    model_fields,
    parse_choice,
    parse_custom,
    parse_date,
    parse_decimal,
    text,
    update_with_audit,
)
from core.models import LookupItem

from . import dedup, regions, validators
from .models import Customer, CustomerAssignment, CustomerCategory, Region
from .search import SEARCH_TEXT_MAX, _join, fill_own_keys
from .search import norm as search_norm

LOOKUPS = {"type": "customer_type", "level": "customer_level", "industry": "industry", "source": "customer_source",
           "relationship": "relationship", "size": "company_size"}
EXACT_KINDS = ("code", "credit_code", "phone")
COMMENT = gettext_lazy("Imported")
LOOKUP_CHUNK = 200

CUSTOMER_SPEC = [
    ("name", True, ("客户名称", "公司名称", "企业名称", "单位名称", "客户", "公司", "company", "customer")),
    ("short_name", False, ("简称", "客户简称")),
    ("code", False, ("编号", "客户编号", "客户编码", "code")),
    ("status", False, ("客户状态", "状态")),
    ("type", False, ("客户类型", "类型")),
    ("level", False, ("客户等级", "等级", "级别")),
    ("category", False, ("客户分类", "分类")),
    ("industry", False, ("行业", "所属行业")),
    ("source", False, ("客户来源", "来源")),
    ("relationship", False, ("关系", "关系类型")),
    ("size", False, ("规模", "公司规模", "企业规模", "人员规模")),
    ("phone", False, ("电话", "手机", "联系电话", "公司电话", "手机号", "tel", "telephone", "mobile")),
    ("website", False, ("网址", "网站", "官网")),
    ("province", False, ("省", "省份")),
    ("city", False, ("市", "城市", "地市")),
    ("district", False, ("区", "区县", "县区")),
    ("address", False, ("地址", "详细地址", "公司地址")),
    ("credit_code", False, ("统一社会信用代码", "信用代码", "社会信用代码", "credit code")),
    ("invoice_title", False, ("发票抬头", "开票名称")),
    ("tax_number", False, ("纳税人识别号", "税号")),
    ("invoice_address", False, ("开票地址",)),
    ("invoice_phone", False, ("开票电话",)),
    ("bank_name", False, ("开户行", "开户银行")),
    ("bank_account", False, ("银行账号", "账号")),
    ("amount", False, ("年采购额", "采购金额")),
    ("next_followup_on", False, ("下次跟进", "下次跟进日期")),
    ("notes", False, ("备注", "说明")),
    ("owner", False, ("负责人", "所有者", "业务员", "销售", "owner")),
]


def _name_map(items) -> dict[str, list]:
    out: dict[str, list] = defaultdict(list)
    for item in items:
        for key in {norm(item.name), norm(regions.short_name(item.name))}:
            if key:
                out[key].append(item)
    return out


def _one(name: str, raw, found: list, parent_ids=None):
    if parent_ids is not None:
        found = [r for r in found if r.parent_id in parent_ids]
    if len(found) == 1:
        return found[0]
    raise RowError(name, _("Unknown region.") if not found else _("More than one region has this name; add the province or city."), raw)


def _places(province_name, city_name, district_name, maps) -> dict | RowError:
    """The regions named, as the row's values (filled in upwards, as in customers.services: a district
    names its city, a city its province), or the error of the first name that does not fit."""
    try:
        province = city = district = None
        if province_name not in ("", None):
            province = _one("province", province_name, maps.get(1, {}).get(norm(province_name), []))
        if city_name not in ("", None):
            city = _one("city", city_name, maps.get(2, {}).get(norm(city_name), []), {province.pk} if province else None)
        if district_name not in ("", None):
            parents = {city.pk} if city else None
            found = maps.get(3, {}).get(norm(district_name), [])
            if city is None and province is not None:
                found = [d for d in found if d.parent_id and d.parent_id[:2] == province.pk[:2]]
            district = _one("district", district_name, found, parents)
    except RowError as err:
        return err
    city = city or (district.parent if district else None)
    province = province or (city.parent if city else None)
    return {k: v for k, v in (("province", province), ("city", city), ("district", district)) if v}


def _users(actor) -> dict[str, list]:
    from org.selectors import working_users

    out: dict[str, list] = defaultdict(list)
    for user in working_users().select_related("department"):
        for key in {norm(user.username), norm(user.get_full_name()), norm(f"{user.last_name}{user.first_name}")}:
            if key:
                out[key].append(user)
    return out


def _text_fields(row: Row, names, lengths) -> None:
    for name in names:
        if name in row.raw:
            value = text(row.raw[name])
            if value and len(value) > lengths.get(name, 10_000):
                row.errors.append(RowError(name, _("At most %(n)s characters.") % {"n": lengths[name]}, value))
            elif value:
                row.data[name] = value


def _may_update(actor, model, pks) -> tuple[set, set]:
    readable = set(access.visible_to(actor, "read", model).filter(pk__in=pks).values_list("pk", flat=True))
    updatable = set(access.visible_to(actor, "update", model).filter(pk__in=pks).values_list("pk", flat=True))
    return readable, updatable


class CustomerImporter(ImporterDefinition):
    entity = "customers.customer"
    label = gettext_lazy("Customers")
    model = Customer
    list_url_name = "customers:customer_list"
    # Each batch pays a fixed round of queries (numbering per region and level, the matched records'
    # access, the run's row lock); 2,000 rows keep that small while a batch, and the numbering
    # sequence rows it holds locked, still commits within a second or two.
    batch_size = 2000
    new_rows_apart = True  # customers, their audit entries, versions and assignment rows: all new

    def fields(self, actor):
        spec = [s for s in CUSTOMER_SPEC if s[0] != "owner" or access.can(actor, "assign", Customer)]
        return model_fields(actor, Customer, spec)

    def begin(self, actor) -> dict:
        lookups: dict[str, dict] = defaultdict(dict)
        for item in LookupItem.objects.filter(kind__in=LOOKUPS.values(), active=True):
            lookups[item.kind].setdefault(norm(item.code), item)
            lookups[item.kind][norm(item.name)] = item
        by_level, by_pk = defaultdict(list), {}
        for region in Region.objects.all():
            by_level[region.level].append(region)
            by_pk[region.pk] = region
        for region in by_pk.values():  # the chain is filled upwards from these, without a query per row
            if region.parent_id in by_pk:
                region.parent = by_pk[region.parent_id]
        return {
            "actor": actor, "lookups": lookups, "status": choice_map(Customer.Status.choices),
            "regions": {level: _name_map(items) for level, items in by_level.items()},
            "categories": {norm(c.name): c for c in CustomerCategory.objects.filter(active=True)},
            "users": _users(actor) if any(f.name == "owner" for f in self.fields(actor)) else {},
            "custom": custom_definitions(Customer), "lengths": max_lengths(Customer),
        }

    # ---- one row, no queries ----------------------------------------------------------------------
    def clean(self, row: Row, ctx: dict) -> None:
        raw, data = row.raw, row.data
        _text_fields(row, ("name", "short_name", "code", "website", "address", "invoice_title", "tax_number",
                           "invoice_address", "invoice_phone", "bank_name", "bank_account", "notes"), ctx["lengths"])
        if "name" in data:
            data["name"] = " ".join(unicodedata.normalize("NFKC", data["name"]).split())
        for name, check in (("status", lambda v: parse_choice("status", v, ctx["status"])),
                            ("amount", lambda v: parse_decimal("amount", v)),
                            ("next_followup_on", lambda v: parse_date("next_followup_on", v))):
            if raw.get(name) not in ("", None):
                self._try(row, name, check)
        for name, kind in LOOKUPS.items():
            if raw.get(name) not in ("", None):
                item = ctx["lookups"][kind].get(norm(raw[name]))
                if item is None:
                    row.errors.append(RowError(name, _("Not in the basic data list."), raw[name]))
                else:
                    data[name] = item
        if raw.get("category") not in ("", None):
            self._try(row, "category", lambda v: ctx["categories"].get(norm(v)) or _raise("category", v))
        if raw.get("phone") not in ("", None):
            phone = unicodedata.normalize("NFKC", text(raw["phone"])).strip()
            data["_phone_norm"] = _phone_norm(phone, ctx.setdefault("phones", {}))
            if not data["_phone_norm"]:
                row.errors.append(RowError("phone", _("Enter a valid phone number, e.g. 13800138000 or 010-12345678."), raw["phone"]))
            data["phone"] = phone
        if raw.get("credit_code") not in ("", None):
            try:
                data["credit_code"] = validators.validate_credit_code(text(raw["credit_code"]))
            except ValidationError as exc:
                row.errors.append(RowError("credit_code", "; ".join(exc.messages), raw["credit_code"]))
        self._regions(row, ctx)
        if raw.get("owner") not in ("", None):
            found = ctx["users"].get(norm(raw["owner"]), [])
            if len(found) != 1:
                row.errors.append(RowError("owner", _("Unknown user.") if not found else _("More than one user has this name."), raw["owner"]))
            else:
                data["owner"] = found[0]
        for key, field in ctx["custom"].items():
            if key in raw:
                self._try(row, key, lambda v, k=key, f=field: parse_custom(k, f, v))
        if "name" in data:
            data["_name_key"], data["_places"] = dedup.analyse(data["name"])

    @staticmethod
    def _try(row: Row, name: str, parse) -> None:
        try:
            row.data[name] = parse(row.raw[name])
        except RowError as err:
            row.errors.append(err)

    def _regions(self, row: Row, ctx: dict) -> None:
        """The row's province, city and district; worked out once per job for each way of writing them
        (a file names the same few hundred places over and over)."""
        raw = row.raw
        names = (raw.get("province"), raw.get("city"), raw.get("district"))
        known = ctx.setdefault("places", {})
        found = known.get(names)
        if found is None:
            found = known[names] = _places(*names, ctx["regions"])
        if isinstance(found, RowError):
            row.errors.append(found)
        else:
            row.data.update(found)

    def keys(self, row: Row) -> list[str]:
        data, keys = row.data, []
        for name, prefix in (("code", "code"), ("credit_code", "cc"), ("_phone_norm", "ph")):
            if data.get(name):
                keys.append(f"{prefix}:{data[name]}")
        if len(data.get("_name_key", "")) >= 2:
            keys.append(f"nk:{data['_name_key']}|{','.join(sorted(data['_places']))}")
        return keys

    # ---- a batch: matching and writing -------------------------------------------------------------
    def find_existing(self, rows: list[Row], ctx: dict) -> None:
        if not rows:
            return
        codes = {r.data["code"] for r in rows if r.data.get("code")}
        credit = {r.data["credit_code"] for r in rows if r.data.get("credit_code")}
        phones = {r.data["_phone_norm"] for r in rows if r.data.get("_phone_norm")}
        names = {r.data["_name_key"] for r in rows if len(r.data.get("_name_key", "")) >= 2}
        # One query per key and at most LOOKUP_CHUNK values, so each uses its own index: an OR of four
        # IN lists, or a long list of a key many customers share (name cores), makes PostgreSQL scan the table.
        # Deleted customers are read too and set aside here: beside "deleted_at IS NULL" SQLite without
        # statistics walks the deleted_at index (every live row) rather than probe the key's index once
        # per value (60 ms against 1 ms for 200 phones among 100,000 customers).
        # The lookups are sent as one statement (UNION ALL, each part planned on its own) rather than one
        # round trip each: while earlier batches are being written the server is busy, and every round trip waits.
        lookups = [Customer.all_objects.filter(**{f"{column}__any": values[start:start + LOOKUP_CHUNK]}).order_by()
                   .values_list("pk", "name", "code", "credit_code", "phone_norm", "name_key", "deleted_at")
                   for column, values in (("credit_code", sorted(credit)), ("phone_norm", sorted(phones)),
                                          ("name_key", sorted(names)), ("code", sorted(codes)))
                   for start in range(0, len(values), LOOKUP_CHUNK)]
        found = {row[0]: row for row in (lookups[0].union(*lookups[1:], all=True) if lookups else ())}
        # A code is unique among deleted customers too: such a code cannot be used again.
        dead_codes = {row[2] for row in found.values() if row[6] is not None and row[2] in codes}
        index: dict[tuple[str, str], list] = defaultdict(list)
        stored = {}
        live = [row[:6] for row in found.values() if row[6] is None]
        for pk, name, code, credit_code, phone_norm, key in sorted(live, reverse=True):  # newest first
            stored[pk] = (name, code)
            for kind, value in (("code", code), ("credit_code", credit_code), ("phone", phone_norm), ("name", key)):
                if value:
                    index[(kind, value)].append(pk)
        for row in rows:
            self._match(row, index, stored, dead_codes)
        pks = [row.match.pk for row in rows if row.match]
        if pks:
            readable, updatable = _may_update(ctx["actor"], Customer, pks)
            hidden = access.hidden_fields(ctx["actor"], Customer)
            for row in rows:
                if row.match:
                    name, code = stored[row.match.pk]
                    row.match.readable, row.match.updatable = row.match.pk in readable, row.match.pk in updatable
                    row.match.label = (name if "name" not in hidden else "") + (f" ({code})" if code and "code" not in hidden else "")

    def _match(self, row: Row, index, stored, dead_codes) -> None:
        data = row.data
        if data.get("code") in dead_codes:
            row.errors.append(RowError("code", _("This customer code is already used."), data["code"]))
            return
        hits = []
        for kind, value in (("code", data.get("code")), ("credit_code", data.get("credit_code")),
                            ("phone", data.get("_phone_norm"))):
            if value:
                hits.extend((kind, pk) for pk in index.get((kind, value), []))
        if len(data.get("_name_key", "")) >= 2:
            for pk in index.get(("name", data["_name_key"]), []):
                places = dedup.analyse(stored[pk][0])[1]
                if not (data["_places"] and places and not (data["_places"] & places)):
                    hits.append(("name", pk))
        if hits:
            kind, pk = hits[0]
            row.match = Match(pk=pk, kind=kind, exact=kind in EXACT_KINDS)
            # An exact key of this row held by a different customer: updating would make two alike.
            data["_conflict"] = any(k in EXACT_KINDS and p != pk for k, p in hits)

    def create(self, rows: list[Row], ctx: dict) -> list:
        return self.prepare(rows, ctx)()

    def prepare(self, rows: list[Row], ctx: dict):
        """The rows as customer_create would store them (same columns, codes, search keys, owner clocks),
        then what inserts them with their audit entry, version and assignment history as plain rows:
        no model instances, one COPY (PostgreSQL) / executemany (SQLite) per table and batch.

        Codes are reserved here, each reservation committed on its own (outside the batch's
        transaction), so a batch that fails to commit leaves its codes unused: a gap in the numbers,
        never a code given twice."""
        actor, now = ctx["actor"], timezone.now()
        pinyin = ctx.setdefault("pinyin", {})
        records, numbering_groups = [], defaultdict(list)
        for row in rows:
            data = row.data
            owner = data.get("owner") or actor
            values = {"owner_id": owner.pk, "department_id": owner.department_id, "created_by_id": actor.pk,
                      "custom": {}, "owned_since": now}  # as customer_create: the owner holds it from now (pool clocks)
            for key, value in data.items():
                if key.startswith("custom."):
                    values["custom"][key[7:]] = value
                elif key[0] != "_" and key != "owner":
                    if isinstance(value, Model):
                        values[f"{key}_id"] = value.pk
                    else:
                        values[key] = value
            if values.get("status") == Customer.Status.DEAL:
                values["last_deal_at"] = now  # a deal is a deal
            if not values.get("code"):
                province, level = data.get("province"), data.get("level")
                numbering_groups[(getattr(province, "short", "") or "", getattr(level, "code", "") or "")].append(values)
            records.append(values)
        groups = list(numbering_groups.items())
        reserved = numbering.reserve_code_groups(
            "customer", [({"region": region, "level": level}, len(group)) for (region, level), group in groups],
            taken=lambda batch: set(Customer.all_objects.filter(code__any=batch).values_list("code", flat=True)))
        for (_key, group), codes in zip(groups, reserved, strict=True):
            for values, code in zip(group, codes, strict=True):
                values["code"] = code
        for values, row in zip(records, rows, strict=True):
            _own_keys(values, row, pinyin)
        # Each row's audit entry and version (core.imports.parsing.create_with_audit), serialised as
        # its id is known (PostgreSQL: now; elsewhere once written); the version is what
        # core.services.restore_version brings an imported record back to.
        new_rows, comment = bulk.NewRows(Customer, now=now), str(COMMENT)
        audit_rows, version_rows, assignments, keys = [], [], [], None

        def written(values):
            nonlocal keys
            data = new_rows.snapshot(values)
            if keys is None:
                keys = sorted(key for key in data if key not in ("updated_at", "version"))
            audit_rows.append((values["id"], values["name"], audit.json_text(
                {key: [None, data[key]] for key in keys if data[key] is not None})))
            version_rows.append((values["id"], data["version"], audit.json_text(data)))
            assignments.append({"customer_id": values["id"], "kind": CustomerAssignment.Kind.CREATE.value,
                                "to_owner_id": values["owner_id"], "to_department_id": values["department_id"],
                                "actor_id": actor.pk, "reason": comment, "at": now})

        insert = new_rows.stage(records, unique="code", on_row=written)

        def write() -> list[dict]:
            insert()
            audit.log_rows(actor=actor, action=audit.Action.CREATE, model=Customer, entries=audit_rows, message=comment)
            audit.record_version_rows(model=Customer, actor=actor, rows=version_rows, comment=comment)
            bulk.NewRows(CustomerAssignment, now=now).insert(assignments)
            return records
        return write

    def update(self, rows: list[Row], ctx: dict) -> list:
        from core.audit import snapshot

        from .services import STATUS_MOVES

        actor = ctx["actor"]
        locked = {c.pk: c for c in access.visible_to(actor, "update", Customer.objects.select_for_update(of=("self",)))
                  .filter(pk__in=[r.match.pk for r in rows])}
        changed, applied = [], []
        for row in rows:
            obj = locked.get(row.match.pk)
            if obj is None:
                row.errors.append(RowError("", _("Exists (not yours), skipped.")))
                continue
            if row.data.get("_conflict"):
                row.errors.append(RowError("", _("Its phone, code or credit code belongs to another customer.")))
                continue
            status = row.data.get("status")
            if status and status != obj.status and status not in STATUS_MOVES.get(obj.status, set()):
                row.errors.append(RowError("status", _("A customer cannot go from %(old)s to %(new)s.") % {
                    "old": Customer.Status(obj.status).label, "new": Customer.Status(status).label}, status))
                continue
            before = snapshot(obj)
            for key, value in row.data.items():
                if key.startswith("custom."):
                    obj.custom = {**obj.custom, key[7:]: value}
                elif not key.startswith("_") and key not in ("owner", "code"):
                    setattr(obj, key, value)
            fill_own_keys(obj)
            changed.append((obj, before))
            applied.append(obj)
        update_with_audit(actor=actor, model=Customer, changed=changed, comment=str(COMMENT),
                          derived=("search_text", "phone_norm", "name_key"))
        return applied

    def describe(self, match: Match) -> str:
        return match.label if match.readable else ""


_ALNUM_RE = re.compile(r"[^0-9a-z]")


def _pinyin(text: str, cache: dict) -> list[str]:
    """customers.search.name_tokens of one name, with pypinyin's per-word conversion cached.

    lazy_pinyin(text) is the concatenation of its converter's output for each segment of the text,
    so converting each distinct segment once gives the same result; company names share most words.
    """
    from pypinyin import Style
    from pypinyin.core import _default_convert

    text = unicodedata.normalize("NFKC", text or "")
    tokens = [search_norm(text)]
    if not re.search(r"[\u3400-\u9fff]", text):
        return [*tokens, "", ""]
    full, initials = [], []
    for word in _words(text, cache):
        if word.isascii():  # no pinyin: the converter gives the text back (numbers differ in every name)
            full.append(_ALNUM_RE.sub("", word.lower()))
            initials.append(full[-1])
            continue
        hit = cache.get(word)
        if hit is None:
            hit = cache[word] = tuple(
                "".join(re.sub(r"[^0-9a-z]", "", part.lower())
                        for parts in _default_convert.convert(word, style, False, "default", strict=True) for part in parts)
                for style in (Style.NORMAL, Style.FIRST_LETTER))
        full.append(hit[0])
        initials.append(hit[1])
    return [*tokens, "".join(full), "".join(initials)]


def _han_runs():
    """A pattern for pypinyin's simple_seg: maximal runs of the characters its RE_HANS calls Chinese
    (``^(?:[…])+$``, one character class) and of the others, found in one pass of the regex engine."""
    from pypinyin.constants import RE_HANS

    head, tail = "^(?:[", "])+$"
    pattern = RE_HANS.pattern
    if not (pattern.startswith(head) and pattern.endswith(tail)):
        raise ImproperlyConfigured("pypinyin's RE_HANS is no longer one character class")
    chars = pattern[len(head):-len(tail)]
    return re.compile(f"[{chars}]+|[^{chars}]+", RE_HANS.flags | re.DOTALL)


_HAN_RUNS = _han_runs()


def _runs(text: str) -> list[str]:
    """pypinyin's simple_seg: the text cut into maximal runs of Chinese and of other characters."""
    return _HAN_RUNS.findall(text)


def _words(text: str, cache: dict) -> list[str]:
    """pypinyin's segmentation of a text (its default ``seg``), each run of Chinese characters cut once
    per job: the text is split into runs of Chinese and other characters and only the Chinese runs
    are cut into words, each on its own, so a run recurring in many names is cut the same way."""
    from pypinyin.constants import PHRASES_DICT, RE_HANS
    from pypinyin.seg import mmseg

    words = []
    for part in _runs(text):
        if not RE_HANS.match(part) or not PHRASES_DICT:
            words.append(part)
            continue
        key = ("run", part)
        cut = cache.get(key)
        if cut is None:
            cut = cache[key] = list(mmseg.seg.cut(part))
        words.extend(cut)
    return words


def _own_keys(values: dict, row: Row, cache: dict) -> None:
    """What customers.search.fill_own_keys sets, from values the row's check computed already."""
    values["search_text"] = _join([*_pinyin(values["name"], cache), *_pinyin(values.get("short_name", ""), cache),
                                   search_norm(values.get("code", ""))], SEARCH_TEXT_MAX)
    values["phone_norm"] = row.data.get("_phone_norm", "") if values.get("phone") else ""
    values["name_key"] = row.data.get("_name_key", "")[:120]


_MOBILE_RE = re.compile(r"1[3-9]\d{9}")


def _phone_norm(phone: str, cache: dict) -> str:
    """validators.normalize_phone, with plain mobile numbers decided by their first six digits.

    In phonenumbers' metadata for CN, an 11-digit number 1[3-9]… can only be a mobile number, whose
    pattern looks at no more than the first five digits; so numbers sharing six leading digits are
    all valid or all not, and a valid one is "+86" + the digits. Parsing is the slowest part of a row."""
    if _MOBILE_RE.fullmatch(phone):
        prefix = ("mobile", phone[:6])
        valid = cache.get(prefix)
        if valid is None:
            valid = cache[prefix] = validators.normalize_phone(phone) == f"+86{phone}"
        return f"+86{phone}" if valid else ""
    if phone not in cache:
        cache[phone] = validators.normalize_phone(phone)
    return cache[phone]


def _raise(name, value):
    raise RowError(name, _("Unknown value."), value)


register_importer(CustomerImporter())
from .importers_contacts import ContactImporter  # noqa: E402  (kept apart to keep files short)

register_importer(ContactImporter())

"""Basic data (基础资料): the admin-editable lookup lists and the services that change them.

Each list is a ``kind`` of :class:`core.models.LookupItem`. ``LOOKUP_KINDS`` names the lists the
basic data page offers; apps with lists of their own add them with :func:`register_kind`.
``ensure_default_lookups()`` fills in the default entries and is safe to call any number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .audit import Action
from .models import LookupItem

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class ExtraField:
    """An extra attribute of the items of one list, kept in ``LookupItem.extra``."""

    key: str
    label: object
    min_value: int = 0
    max_value: int = 100


# kind → translatable name of the list, in the order the basic data page shows them.
LOOKUP_KINDS: dict[str, object] = {}
# kind → extra attributes its items carry (a sales stage has a default win rate).
KIND_EXTRAS: dict[str, tuple[ExtraField, ...]] = {}
# kind → [(code, name) or (code, name, extra)], the entries a new company starts with.
DEFAULT_LOOKUPS: dict[str, list[tuple]] = {}


def register_kind(kind: str, label, defaults: list[tuple] = (), extras: tuple[ExtraField, ...] = ()) -> None:
    """Offer a list on the basic data page; other apps call this for lists of their own."""
    LOOKUP_KINDS[kind] = label
    DEFAULT_LOOKUPS[kind] = list(defaults)
    if extras:
        KIND_EXTRAS[kind] = tuple(extras)


WIN_RATE = ExtraField("win_rate", gettext_lazy("Win rate (%)"))

register_kind("customer_type", gettext_lazy("Customer type"), [
    ("enterprise", "企业客户"), ("government", "政府机关"), ("institution", "事业单位"), ("individual", "个人客户"),
    ("distributor", "经销商"), ("agent", "代理商"), ("partner", "合作伙伴"),
])
register_kind("customer_level", gettext_lazy("Customer level"), [
    ("A", "A级 重点客户"), ("B", "B级 主要客户"), ("C", "C级 普通客户"), ("D", "D级 一般客户"),
])
register_kind("industry", gettext_lazy("Industry"), [
    ("manufacturing", "制造业"), ("software", "软件和信息技术"), ("internet", "互联网"), ("finance", "金融保险"),
    ("construction", "建筑与房地产"), ("education", "教育培训"), ("healthcare", "医疗健康"), ("retail", "批发零售"),
    ("logistics", "交通物流"), ("energy", "能源化工"), ("agriculture", "农林牧渔"), ("catering", "餐饮酒店"),
    ("public", "政府与公共事业"), ("business_services", "商务服务"), ("other", "其他行业"),
])
register_kind("customer_source", gettext_lazy("Customer source"), [
    ("phone_in", "电话来访"), ("referral", "客户介绍"), ("self_developed", "独立开发"), ("exhibition", "展会"),
    ("advertising", "广告宣传"), ("website", "官网咨询"), ("online", "网络推广"), ("event", "市场活动"),
    ("partner", "合作伙伴推荐"), ("other", "其他"),
])
register_kind("relationship", gettext_lazy("Relationship type"), [
    ("close", "密切"), ("good", "良好"), ("normal", "一般"), ("weak", "较差"), ("first_contact", "初次接触"),
])
register_kind("company_size", gettext_lazy("Company size"), [
    ("lt20", "20人以下"), ("20-99", "20-99人"), ("100-499", "100-499人"), ("500-999", "500-999人"),
    ("gte1000", "1000人以上"),
])
register_kind("satisfaction", gettext_lazy("Satisfaction"), [
    ("very_satisfied", "非常满意"), ("satisfied", "满意"), ("neutral", "一般"), ("dissatisfied", "不满意"),
    ("very_dissatisfied", "非常不满意"),
])
register_kind("service_type", gettext_lazy("Service type"), [
    ("consulting", "咨询"), ("installation", "安装调试"), ("training", "培训"), ("repair", "维修"),
    ("maintenance", "保养巡检"), ("complaint", "投诉"), ("return", "退换货"), ("other", "其他"),
])
register_kind("contact_method", gettext_lazy("Contact method"), [
    ("visit", "上门拜访"), ("phone", "电话"), ("wechat", "微信"), ("email", "邮件"), ("sms", "短信"),
    ("video", "视频会议"), ("other", "其他"),
])
register_kind("importance", gettext_lazy("Importance"), [
    ("urgent", "非常重要"), ("high", "重要"), ("normal", "一般"), ("low", "不重要"),
])
register_kind("sales_stage", gettext_lazy("Sales stage"), [
    ("initial", "初步接洽", {"win_rate": 10}), ("needs", "需求确认", {"win_rate": 25}),
    ("proposal", "方案报价", {"win_rate": 50}), ("negotiation", "谈判审核", {"win_rate": 75}),
    ("won", "赢单", {"win_rate": 100}), ("lost", "输单", {"win_rate": 0}),
], extras=(WIN_RATE,))
register_kind("payment_method", gettext_lazy("Payment method"), [
    ("bank_transfer", "银行转账"), ("cash", "现金"), ("cheque", "支票"), ("acceptance_bill", "承兑汇票"),
    ("wechat_pay", "微信支付"), ("alipay", "支付宝"), ("card", "刷卡"), ("other", "其他"),
])
register_kind("unit", gettext_lazy("Unit"), [
    ("pcs", "个"), ("piece", "件"), ("set", "套"), ("unit", "台"), ("box", "箱"), ("bag", "袋"), ("pack", "包"),
    ("bottle", "瓶"), ("sheet", "张"), ("m", "米"), ("kg", "千克"), ("t", "吨"), ("l", "升"), ("time", "次"),
])
register_kind("expense_type", gettext_lazy("Expense type"), [
    ("travel", "差旅费"), ("transport", "交通费"), ("entertainment", "业务招待费"), ("communication", "通讯费"),
    ("office", "办公费"), ("gift", "礼品费"), ("meeting", "会议费"), ("marketing", "市场推广费"),
    ("freight", "运杂费"), ("other", "其他费用"),
])
register_kind("lost_reason", gettext_lazy("Lost reason"), [
    ("price", "价格偏高"), ("competitor", "选择了竞争对手"), ("need_changed", "需求变化或取消"),
    ("budget", "预算不足"), ("product_fit", "产品不满足需求"), ("relationship", "客户关系维护不到位"),
    ("slow_response", "响应不及时"), ("other", "其他原因"),
])


# ---- reading ---------------------------------------------------------------------------------

def items(kind: str, *, active_only: bool = True):
    qs = LookupItem.objects.filter(kind=kind)
    return qs.filter(active=True) if active_only else qs


def get_item(kind: str, code: str) -> LookupItem | None:
    return LookupItem.objects.filter(kind=kind, code=code).first()


def win_rate(item: LookupItem | None) -> int | None:
    """The default win rate of a sales stage item, or None."""
    if item is None:
        return None
    value = (item.extra or {}).get("win_rate")
    return int(value) if value is not None else None


def ensure_default_lookups(kinds=None) -> int:
    """Add the default entries that are missing (by kind and code); admin changes are kept. Returns the count added."""
    wanted = [k for k in DEFAULT_LOOKUPS if kinds is None or k in kinds]
    existing = set(LookupItem.objects.filter(kind__in=wanted).values_list("kind", "code"))
    new = []
    for kind in wanted:
        for index, entry in enumerate(DEFAULT_LOOKUPS[kind]):
            code, name = entry[0], entry[1]
            if (kind, code) in existing:
                continue
            extra = dict(entry[2]) if len(entry) > 2 else {}
            new.append(LookupItem(kind=kind, code=code, name=name, sort=(index + 1) * 10, extra=extra))
    LookupItem.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def usage_count(item: LookupItem) -> int:
    """How many records (deleted ones included) point at the item through a foreign key."""
    total = 0
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model is LookupItem):
                continue
            total += model._base_manager.filter(**{field.name: item}).count()
    return total


# ---- writing ---------------------------------------------------------------------------------

def may_manage(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only administrators may change basic data."))


def _check_kind(kind: str) -> None:
    if kind not in LOOKUP_KINDS:
        raise ValidationError(_("Unknown list."))


def _auto_code(kind: str, name: str) -> str:
    """A code from the pinyin initials of the name (制造业 → zzy), made unique within the list."""
    from pypinyin import Style, lazy_pinyin

    letters = "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors=lambda s: list(s)))
    base = re.sub(r"[^A-Za-z0-9]", "", letters).lower()[:30] or "item"
    taken = set(LookupItem.objects.filter(kind=kind, code__startswith=base).values_list("code", flat=True))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}{n}", n + 1
    return code


def _clean(kind: str, *, code: str, name: str, extra: dict | None, exclude_pk=None) -> tuple[str, str, dict]:
    errors = {}
    name = (name or "").strip()
    code = (code or "").strip()
    if not name:
        errors["name"] = _("Enter a name.")
    elif len(name) > 80:
        errors["name"] = _("The name is too long (at most 80 characters).")
    elif LookupItem.objects.filter(kind=kind, name=name).exclude(pk=exclude_pk).exists():
        errors["name"] = _("This list already has an entry with this name.")
    if code and not CODE_RE.match(code):
        errors["code"] = _("Use letters, digits, - and _ only (at most 40).")
    elif code and LookupItem.objects.filter(kind=kind, code=code).exclude(pk=exclude_pk).exists():
        errors["code"] = _("This code is already used in this list.")
    cleaned_extra = {}
    for spec in KIND_EXTRAS.get(kind, ()):
        raw = (extra or {}).get(spec.key)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[spec.key] = _("%(label)s must be a whole number.") % {"label": spec.label}
            continue
        if not spec.min_value <= value <= spec.max_value:
            errors[spec.key] = _("%(label)s must be between %(min)s and %(max)s.") % {
                "label": spec.label, "min": spec.min_value, "max": spec.max_value}
            continue
        cleaned_extra[spec.key] = value
    if errors:
        raise ValidationError(errors)
    return code, name, cleaned_extra


@transaction.atomic
def lookup_create(*, actor, kind: str, name: str, code: str = "", extra: dict | None = None) -> LookupItem:
    """Add an entry at the end of its list; without a code one is made from the name's pinyin."""
    _require_manager(actor)
    _check_kind(kind)
    code, name, extra = _clean(kind, code=code, name=name, extra=extra)
    last = LookupItem.objects.filter(kind=kind).aggregate(m=Max("sort"))["m"] or 0
    item = LookupItem.objects.create(kind=kind, code=code or _auto_code(kind, name), name=name, sort=last + 10, extra=extra)
    audit.log(actor=actor, action=Action.CREATE, instance=item, changes=audit.diff({}, audit.snapshot(item)))
    return item


@transaction.atomic
def lookup_update(*, actor, item: LookupItem, name: str, code: str | None = None, extra: dict | None = None) -> LookupItem:
    """Rename an entry, change its code or extra attributes. Records keep pointing at the same entry."""
    _require_manager(actor)
    locked = LookupItem.objects.select_for_update().get(pk=item.pk)
    code, name, cleaned_extra = _clean(locked.kind, code=locked.code if code is None else code, name=name,
                                       extra=extra if extra is not None else locked.extra, exclude_pk=locked.pk)
    before = audit.snapshot(locked)
    locked.name = name
    locked.code = code or locked.code
    # Keys of ``extra`` that the page does not edit are kept as they were.
    locked.extra = {**(locked.extra or {}), **cleaned_extra}
    changes = audit.diff(before, audit.snapshot(locked))
    if changes:
        locked.save()
        audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes=changes)
    return locked


@transaction.atomic
def lookup_reorder(*, actor, kind: str, ids: list[int]) -> None:
    """Put the entries of a list in the given order; entries not named keep their place after them."""
    _require_manager(actor)
    _check_kind(kind)
    rows = {row.pk: row for row in LookupItem.objects.select_for_update().filter(kind=kind)}
    ids = [int(i) for i in ids]
    if len(set(ids)) != len(ids) or not set(ids) <= set(rows):
        raise ValidationError(_("The order names entries that are not in this list."))
    rest = [pk for pk in sorted(rows, key=lambda pk: (rows[pk].sort, pk)) if pk not in set(ids)]
    changes = {}
    for index, pk in enumerate(ids + rest):
        row = rows[pk]
        new_sort = (index + 1) * 10
        if row.sort != new_sort:
            changes[row.code] = [row.sort, new_sort]
            row.sort = new_sort
            row.save(update_fields=["sort"])
    if changes:
        audit.log(actor=actor, action=Action.UPDATE, model=LookupItem, object_repr=str(LOOKUP_KINDS[kind]),
                  changes={"order": changes}, message=_("Reordered"))


def lookup_move(*, actor, item: LookupItem, offset: int) -> None:
    """Move an entry up (-1) or down (+1) within its list."""
    ids = list(LookupItem.objects.filter(kind=item.kind).order_by("sort", "id").values_list("pk", flat=True))
    index = ids.index(item.pk)
    target = max(0, min(len(ids) - 1, index + offset))
    if target != index:
        ids.insert(target, ids.pop(index))
        lookup_reorder(actor=actor, kind=item.kind, ids=ids)


@transaction.atomic
def lookup_set_active(*, actor, item: LookupItem, active: bool) -> LookupItem:
    """An inactive entry is no longer offered for new input; records that use it keep it."""
    _require_manager(actor)
    locked = LookupItem.objects.select_for_update().get(pk=item.pk)
    if locked.active != active:
        locked.active = active
        locked.save(update_fields=["active"])
        audit.log(actor=actor, action=Action.UPDATE, instance=locked, changes={"active": [not active, active]})
    return locked


def lookup_deactivate(*, actor, item: LookupItem) -> LookupItem:
    return lookup_set_active(actor=actor, item=item, active=False)


@transaction.atomic
def lookup_remove(*, actor, item: LookupItem) -> str:
    """Delete an unused entry; an entry records still use is deactivated instead. Returns "deleted" or "deactivated"."""
    _require_manager(actor)
    locked = LookupItem.objects.select_for_update().get(pk=item.pk)
    if usage_count(locked):
        lookup_set_active(actor=actor, item=locked, active=False)
        return "deactivated"
    audit.log(actor=actor, action=Action.DELETE, instance=locked, changes={"snapshot": audit.snapshot(locked)})
    locked.delete()
    return "deleted"


@transaction.atomic
def lookup_load_defaults(*, actor, kind: str) -> int:
    """Add the default entries a list is missing (e.g. after entries were deleted by mistake)."""
    _require_manager(actor)
    _check_kind(kind)
    added = ensure_default_lookups([kind])
    if added:
        audit.log(actor=actor, action=Action.CREATE, model=LookupItem, object_repr=str(LOOKUP_KINDS[kind]),
                  message=_("Added %(n)s default entries") % {"n": added})
    return added

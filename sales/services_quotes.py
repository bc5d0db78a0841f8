"""Quotes (报价单). Rules:

- A quote belongs to one contact record (opportunity) or one maintenance record (project), at most
  one live quote per record. Quoting a record needs the update scope on its parent (404 outside it);
  the quote gets the parent's customer, owner and department. A completed record may still be quoted:
  the record is immutable, the quote is a separate document.
- Lines: product, a unit of that product, quantity, unit price (tax excluded), discount %, tax %;
  the services compute line and quote totals (sales.models.quote.QuoteLine.compute).
- Status: draft → (submit) approved, or pending approval when a line's price after discount is below
  the lowest price the author may quote (products.selectors.needs_approval) → approved | rejected;
  approved → sent. Editing a draft, rejected or approved quote puts it back to draft; pending and
  sent quotes cannot be edited.
- Approvers: administrators, and users with the "update" grant on quotes at department scope or wider
  who can see the quote with it and are not its author (see may_approve).
- Deleting a contact/maintenance record or an opportunity bins its quote (sales.cascades hooks).
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit, services
from core.audit import Action
from core.deletion import register_restore_blocker
from core.models import Notification
from org.models import Scope
from products.models import Product
from products.selectors import factor, needs_approval

from . import cascades
from .models import ContactRecord, Quote, QuoteLine
from .services_base import next_code

LINE_FIELDS = ("product", "unit", "quantity", "unit_price", "discount", "tax_rate")
HEADER_FIELDS = ("code", "valid_until", "notes")


def _parent_of(record):
    return record.opportunity if isinstance(record, ContactRecord) else record.project


def _check_record(actor, data: dict):
    contact, maintenance = data.pop("contact_record", None), data.pop("maintenance_record", None)
    if bool(contact) == bool(maintenance):
        raise ValidationError(_("Choose one contact record or one maintenance record."))
    record = contact or maintenance
    model = type(record)
    record = access.get_visible(actor, "read", model.objects.select_related(model.PARENT), pk=record.pk)
    parent = _parent_of(record)
    access.get_visible(actor, "update", type(parent), pk=parent.pk)
    field = "contact_record" if isinstance(record, ContactRecord) else "maintenance_record"
    if Quote.objects.filter(**{field: record}).exists():
        raise ValidationError(_("This record already has a quote."))
    return field, record, parent


def _clean_lines(actor, lines: list[dict]) -> list[QuoteLine]:
    if not lines:
        raise ValidationError(_("Add at least one product line."))
    out, errors = [], []
    for i, values in enumerate(lines, start=1):
        unknown = set(values) - set(LINE_FIELDS)
        if unknown:
            raise ValidationError(_("Line %(no)s: unknown field %(field)s.") % {"no": i, "field": ", ".join(sorted(unknown))})
        product = values.get("product")
        if not isinstance(product, Product) or not access.visible_to(actor, "read", Product).filter(pk=product.pk).exists():
            errors.append(_("Line %(no)s: choose a product.") % {"no": i})
            continue
        unit = values.get("unit") or product.base_unit
        try:
            factor(product, unit)
        except ValidationError:
            errors.append(_("Line %(no)s: %(product)s is not sold in %(unit)s.") % {"no": i, "product": product, "unit": unit})
            continue
        line = QuoteLine(position=i, product=product, unit=unit, quantity=values.get("quantity"),
                         unit_price=values.get("unit_price"),
                         discount=values.get("discount") if values.get("discount") is not None else Decimal("0"),
                         tax_rate=values.get("tax_rate") if values.get("tax_rate") is not None else product.tax_rate)
        try:
            line.full_clean(exclude=["quote"])
        except ValidationError as exc:
            errors += [_("Line %(no)s: %(error)s") % {"no": i, "error": f"{k}: {' '.join(v)}"}
                       for k, v in exc.message_dict.items()]
            continue
        line.compute()
        out.append(line)
    if errors:
        raise ValidationError(errors)
    return out


def _save_lines(quote: Quote, lines: list[QuoteLine]) -> None:
    quote.lines.all().delete()
    for line in lines:
        line.quote = quote
    QuoteLine.objects.bulk_create(lines)
    quote.subtotal = sum((line.amount for line in lines), Decimal("0"))
    quote.discount_total = sum((line.discount_amount for line in lines), Decimal("0"))
    quote.tax_total = sum((line.tax for line in lines), Decimal("0"))
    quote.grand_total = sum((line.total for line in lines), Decimal("0"))
    quote.save(update_fields=["subtotal", "discount_total", "tax_total", "grand_total"])


def _lines_snapshot(quote: Quote) -> list:
    return [f"{line.product} {line.quantity} {line.unit} × {line.unit_price} -{line.discount}% +{line.tax_rate}% = {line.total}"
            for line in quote.lines.select_related("product", "unit")]


@transaction.atomic
def quote_create(*, actor, data: dict, lines: list[dict]) -> Quote:
    access.require(actor, "create", Quote)
    data = dict(data)
    unknown = set(data) - set(HEADER_FIELDS) - {"contact_record", "maintenance_record"}
    if unknown:
        raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": ", ".join(sorted(unknown))})
    field, record, parent = _check_record(actor, data)
    clean = _clean_lines(actor, lines)
    if not data.get("code"):
        data["code"] = next_code(Quote, "quote")
    quote = services.create_record(actor=actor, model=Quote, data={
        **data, field: record, "customer": parent.customer, "owner": parent.owner,
        "department": parent.department})
    _save_lines(quote, clean)
    audit.log(actor=actor, action=Action.UPDATE, instance=quote, changes={"lines": [None, _lines_snapshot(quote)]},
              message=_("Lines"))
    return quote


def _locked(actor, action: str, quote: Quote) -> Quote:
    return access.get_visible(actor, action, Quote.objects.select_for_update(of=("self",)), pk=quote.pk)


def _set_status(*, actor, quote: Quote, changes: dict, message: str) -> Quote:
    before = audit.snapshot(quote)
    for name, value in changes.items():
        setattr(quote, name, value)
    quote.version += 1
    quote.save()
    audit.log(actor=actor, action=Action.UPDATE, instance=quote, changes=audit.diff(before, audit.snapshot(quote)),
              message=message)
    audit.record_version(quote, actor=actor, comment=message)
    return quote


@transaction.atomic
def quote_update(*, actor, instance: Quote, data: dict, lines: list[dict] | None = None,
                 expected_version: int | None = None) -> Quote:
    data = dict(data)
    named = sorted(set(data) - set(HEADER_FIELDS))
    if named:
        raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": ", ".join(named)})
    quote = _locked(actor, "update", instance)
    if not quote.editable:
        raise ValidationError(_("A quote pending approval or sent cannot be changed."))
    quote = services.update_record(actor=actor, instance=quote, data=data, expected_version=expected_version)
    if lines is not None:
        before = _lines_snapshot(quote)
        _save_lines(quote, _clean_lines(actor, lines))
        after = _lines_snapshot(quote)
        if before != after:
            audit.log(actor=actor, action=Action.UPDATE, instance=quote, changes={"lines": [before, after]},
                      message=_("Lines"))
    if quote.status != Quote.Status.DRAFT:
        quote = _set_status(actor=actor, quote=quote, message=_("Changed; back to draft"),
                            changes={"status": Quote.Status.DRAFT, "approved_by": None, "decided_at": None})
    return quote


def lines_below_level(user, quote: Quote) -> list[QuoteLine]:
    return [line for line in quote.lines.select_related("product", "unit")
            if needs_approval(user, line.product, line.unit, line.effective_price)]


def may_approve(user, quote: Quote) -> bool:
    """A manager of the quote: an administrator, or someone with department-wide (or wider) update
    rights on quotes who can see this one with them; never its author."""
    if user is None or not user.is_authenticated or not user.is_active or user.pk == quote.created_by_id:
        return False
    if user.is_superuser:
        return True
    if access.scope_level(user, "sales.quote", "update") < Scope.DEPARTMENT:
        return False
    return access.visible_to(user, "update", Quote).filter(pk=quote.pk).exists()


def approvers(quote: Quote) -> list:
    User = get_user_model()
    candidates = User.objects.filter(is_active=True).exclude(pk=quote.created_by_id).filter(
        is_superuser=True) | User.objects.filter(
        is_active=True, roles__grants__module="sales.quote", roles__grants__action="update",
        roles__grants__scope__gte=Scope.DEPARTMENT)
    return [user for user in candidates.distinct() if may_approve(user, quote)]


@transaction.atomic
def quote_submit(*, actor, instance: Quote) -> Quote:
    quote = _locked(actor, "update", instance)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.REJECTED):
        raise ValidationError(_("Only a draft or rejected quote can be submitted."))
    if not quote.lines.exists():
        raise ValidationError(_("Add at least one product line."))
    below = lines_below_level(quote.created_by or actor, quote)
    if not below:
        return _set_status(actor=actor, quote=quote, message=_("Submitted; prices within the allowed level"),
                           changes={"status": Quote.Status.APPROVED, "decided_at": timezone.now(), "approved_by": None})
    quote = _set_status(actor=actor, quote=quote, message=_("Submitted for approval"),
                        changes={"status": Quote.Status.PENDING, "decided_at": None, "approved_by": None})
    url = reverse("sales:quote_detail", args=[quote.pk])
    names = ", ".join(str(line.product) for line in below)
    for user in approvers(quote):
        Notification.objects.create(user=user, url=url,
                                    title=_("Quote %(code)s needs your approval") % {"code": quote.code},
                                    body=_("Price below the allowed level: %(products)s") % {"products": names})
    return quote


def _decide(*, actor, instance: Quote, approve: bool, note: str) -> Quote:
    quote = _locked(actor, "read", instance)
    if quote.status != Quote.Status.PENDING:
        raise ValidationError(_("This quote is not waiting for approval."))
    if not may_approve(actor, quote):
        raise PermissionDenied(_("Only a manager other than the author may approve or reject this quote."))
    status = Quote.Status.APPROVED if approve else Quote.Status.REJECTED
    quote = _set_status(actor=actor, quote=quote, message=_("Approved") if approve else _("Rejected"),
                        changes={"status": status, "approved_by": actor if approve else None,
                                 "decided_at": timezone.now(), "decision_note": note[:300]})
    if quote.created_by_id:
        Notification.objects.create(user=quote.created_by, url=reverse("sales:quote_detail", args=[quote.pk]),
                                    title=_("Quote %(code)s: %(status)s") % {"code": quote.code,
                                                                             "status": quote.get_status_display()},
                                    body=note[:300])
    return quote


@transaction.atomic
def quote_approve(*, actor, instance: Quote, note: str = "") -> Quote:
    return _decide(actor=actor, instance=instance, approve=True, note=note)


@transaction.atomic
def quote_reject(*, actor, instance: Quote, note: str = "") -> Quote:
    if not note.strip():
        raise ValidationError(_("Give the reason for the rejection."))
    return _decide(actor=actor, instance=instance, approve=False, note=note)


@transaction.atomic
def quote_send(*, actor, instance: Quote) -> Quote:
    quote = _locked(actor, "update", instance)
    if quote.status != Quote.Status.APPROVED:
        raise ValidationError(_("Only an approved quote can be sent."))
    return _set_status(actor=actor, quote=quote, message=_("Sent"),
                       changes={"status": Quote.Status.SENT, "sent_at": timezone.now()})


@transaction.atomic
def quote_delete(*, actor, instance: Quote) -> Quote:
    return services.delete_record(actor=actor, instance=instance)


def _bin_all(actor, quotes) -> None:
    # The cascade runs as the actor deleting the parent, who may lack rights on quotes:
    # the parent's delete decides, so the quotes are binned directly and audited.
    for quote in quotes:
        quote.deleted_at = timezone.now()
        quote.deleted_by = actor
        quote.save(update_fields=["deleted_at", "deleted_by"])
        audit.log(actor=actor, action=Action.DELETE, instance=quote, message=_("Deleted with its record"))


@cascades.on_record_deleted
def _record_deleted(*, actor, record) -> None:
    field = "contact_record" if isinstance(record, ContactRecord) else "maintenance_record"
    _bin_all(actor, Quote.objects.filter(**{field: record}))


@cascades.on_opportunity_deleted
def _opportunity_deleted(*, actor, opportunity) -> None:
    # Its records were binned first (with their quotes); this catches quotes of records already in the bin.
    _bin_all(actor, Quote.objects.filter(contact_record__opportunity=opportunity))



def quote_restore_blocker(quote: Quote):
    """A binned quote comes back only to a live record that has no other live quote."""
    record = quote.contact_record if quote.contact_record_id else quote.maintenance_record
    record = type(record).all_objects.filter(pk=record.pk).first() if record is not None else None
    if record is None or record.is_deleted:
        return _("Its record is in the recycle bin; restore that first.")
    field = "contact_record" if isinstance(record, ContactRecord) else "maintenance_record"
    if Quote.objects.filter(**{field: record}).exclude(pk=quote.pk).exists():
        return _("This record has another quote now.")
    return None


register_restore_blocker(Quote, quote_restore_blocker)

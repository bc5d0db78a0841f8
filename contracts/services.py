"""Writes of contracts and orders: create/update with lines and plan, approve (generates the
receivables), unapprove, status changes. One implementation for both kinds of document."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import access, audit, numbering, services
from core.audit import Action
from customers.models import Contact, Customer

from . import lines as doc_lines
from .models import Contract, DocumentStatus, Order, Receipt, Receivable

COMPUTED = frozenset({"amount", "status", "approved_by", "approved_at"})
DOC_TYPE = {Contract: "contract", Order: "order"}
# Allowed moves by the status service; approve/unapprove have their own services.
MOVES = {
    DocumentStatus.APPROVED: {DocumentStatus.EXECUTING, DocumentStatus.COMPLETED, DocumentStatus.CANCELLED},
    DocumentStatus.EXECUTING: {DocumentStatus.COMPLETED, DocumentStatus.CANCELLED},
    DocumentStatus.DRAFT: {DocumentStatus.CANCELLED},
}


def _refuse_computed(data: dict) -> None:
    named = sorted(COMPUTED & set(data))
    if named:
        raise PermissionDenied(_("You may not change the field %(field)s.") % {"field": ", ".join(named)})


def _check_links(actor, data: dict, current=None) -> None:
    """The customer must be one the actor sees; linked records must be the customer's and visible."""
    customer = data.get("customer", getattr(current, "customer", None))
    if "customer" in data and not access.visible_to(actor, "read", Customer).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": _("Choose a customer you may see.")})
    from sales.models import Opportunity, Project

    for name, model in (("opportunity", Opportunity), ("project", Project), ("contract", Contract)):
        linked = data.get(name)
        if linked is not None and not access.visible_to(actor, "read", model).filter(pk=linked.pk).exists():
            raise ValidationError({name: _("Choose a record you may see.")})
    for name in ("their_signer", "contact"):
        contact = data.get(name)
        if contact is not None and not Contact.objects.filter(pk=contact.pk, customer=customer).exists():
            raise ValidationError({name: _("This contact belongs to another customer.")})


def _lock(actor, action: str, document):
    model = type(document)
    return access.get_visible(actor, action, model.objects.select_for_update(of=("self",)), pk=document.pk)


def _log_lines(actor, document, lines: list[dict] | None, plan: list[dict] | None) -> None:
    changes = {}
    if lines is not None:
        changes["lines"] = doc_lines.describe(lines)
    if plan is not None:
        changes["plan"] = [f"{p['period']}: {p['due_date']} {p['amount']}" for p in plan]
    if changes:
        audit.log(actor=actor, action=Action.UPDATE, instance=document, changes=changes,
                  message=_("Lines and payment plan"))


@transaction.atomic
def document_create(*, actor, model, data: dict, lines: list[dict], plan: list[dict] | None = None,
                    custom: dict | None = None):
    """A draft contract or order with its product lines and (optional) payment plan."""
    access.require(actor, "create", model)
    _refuse_computed(data)
    _check_links(actor, data)
    cleaned = doc_lines.clean_lines(actor, lines)
    periods = doc_lines.clean_plan(plan or [])
    data = dict(data, amount=doc_lines.total(cleaned))
    if not data.get("code"):
        data["code"] = numbering.next_code(DOC_TYPE[model], taken=lambda c: model.all_objects.filter(code=c).exists())
    document = services.create_record(actor=actor, model=model, data=data, custom=custom)
    doc_lines.save_lines(document, cleaned)
    doc_lines.save_plan(document, periods)
    _log_lines(actor, document, cleaned, periods)
    return document


@transaction.atomic
def document_update(*, actor, instance, data: dict, lines: list[dict] | None = None,
                    plan: list[dict] | None = None, custom: dict | None = None, expected_version: int | None = None):
    """Change a draft; ``lines``/``plan`` given replace the current ones. Approved documents are locked."""
    _refuse_computed(data)
    locked = _lock(actor, "update", instance)
    if locked.status != DocumentStatus.DRAFT:
        raise ValidationError(_("Only a draft can be changed; unapprove it first."))
    _check_links(actor, data, locked)
    data = dict(data)
    cleaned = periods = None
    if lines is not None:
        cleaned = doc_lines.clean_lines(actor, lines)
        data["amount"] = doc_lines.total(cleaned)
    if plan is not None:
        periods = doc_lines.clean_plan(plan)
    saved = services.update_record(actor=actor, instance=locked, data=data, custom=custom,
                                   expected_version=expected_version)
    if cleaned is not None:
        doc_lines.save_lines(saved, cleaned)
    if periods is not None:
        doc_lines.save_plan(saved, periods)
    _log_lines(actor, saved, cleaned, periods)
    return saved


def _save_system(*, actor, instance, changes: dict, message: str):
    before = audit.snapshot(instance)
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.version += 1
    instance.save()
    audit.log(actor=actor, action=Action.UPDATE, instance=instance, changes=audit.diff(before, audit.snapshot(instance)),
              message=message)
    audit.record_version(instance, actor=actor, comment=message)
    return instance


def _receivables_of(document):
    return Receivable.all_objects.filter(**doc_lines.parent_kwargs(document))


@transaction.atomic
def document_approve(*, actor, instance):
    """Approve (审核): the plan must sum to the amount; one receivable per plan period (or one for the
    whole amount, due on the document's date, when there is no plan)."""
    locked = _lock(actor, "update", instance)
    if locked.status != DocumentStatus.DRAFT:
        raise ValidationError(_("This is already approved."))
    if locked.amount <= 0:
        raise ValidationError(_("Add product lines before approving."))
    plan = list(locked.plan.all())
    planned = sum((p.amount for p in plan), doc_lines.CENT * 0)
    if plan and planned != locked.amount:
        raise ValidationError(_("The payment plan adds up to %(plan)s but the amount is %(amount)s.") % {
            "plan": planned, "amount": locked.amount})
    today = timezone.localdate()
    if not plan:
        due = getattr(locked, "sign_date", None) or getattr(locked, "order_date", None) or today
        plan = [type("P", (), {"period": 1, "due_date": due, "amount": locked.amount})()]
    for period in plan:
        receivable = Receivable.objects.create(
            **doc_lines.parent_kwargs(locked), customer_id=locked.customer_id, period=period.period,
            due_date=period.due_date, amount=period.amount, received=0, balance=period.amount,
            owner_id=locked.owner_id, department_id=locked.department_id, created_by=actor)
        audit.log(actor=actor, action=Action.CREATE, instance=receivable,
                  changes=audit.diff({}, audit.snapshot(receivable)))
    return _save_system(actor=actor, instance=locked, message=_("Approved"),
                        changes={"status": DocumentStatus.APPROVED, "approved_by": actor,
                                 "approved_at": timezone.now()})


@transaction.atomic
def document_unapprove(*, actor, instance):
    """Back to draft; its receivables go. Refused once money has been received against them."""
    locked = _lock(actor, "update", instance)
    if locked.status not in (DocumentStatus.APPROVED, DocumentStatus.EXECUTING):
        raise ValidationError(_("Only an approved document can be unapproved."))
    receivables = _receivables_of(locked)
    if Receipt.objects.filter(receivable__in=receivables).exists():
        raise ValidationError(_("Receipts have been recorded against it; it cannot be unapproved."))
    for receivable in receivables:
        audit.log(actor=actor, action=Action.PURGE, instance=receivable, changes={"snapshot": audit.snapshot(receivable)})
    receivables.delete()
    return _save_system(actor=actor, instance=locked, message=_("Unapproved"),
                        changes={"status": DocumentStatus.DRAFT, "approved_by": None, "approved_at": None})


@transaction.atomic
def document_set_status(*, actor, instance, status: str):
    """Executing, completed or cancelled. Completing needs every receivable paid; cancelling an
    approved document needs no receipts (its open receivables go)."""
    locked = _lock(actor, "update", instance)
    if status not in MOVES.get(locked.status, set()):
        raise ValidationError(_("A %(old)s document cannot become %(new)s.") % {
            "old": locked.get_status_display(), "new": DocumentStatus(status).label if status in DocumentStatus.values
            else status})
    receivables = _receivables_of(locked)
    if status == DocumentStatus.COMPLETED and receivables.filter(balance__gt=0).exists():
        raise ValidationError(_("Receivables are still open; it cannot be completed."))
    if status == DocumentStatus.CANCELLED and locked.status != DocumentStatus.DRAFT:
        if Receipt.objects.filter(receivable__in=receivables).exists():
            raise ValidationError(_("Receipts have been recorded against it; it cannot be cancelled."))
        for receivable in receivables:
            audit.log(actor=actor, action=Action.PURGE, instance=receivable,
                      changes={"snapshot": audit.snapshot(receivable)})
        receivables.delete()
    return _save_system(actor=actor, instance=locked, changes={"status": status},
                        message=str(DocumentStatus(status).label))


@transaction.atomic
def document_delete(*, actor, instance):
    locked = _lock(actor, "delete", instance)
    if locked.status != DocumentStatus.DRAFT and locked.status != DocumentStatus.CANCELLED:
        raise ValidationError(_("Only a draft or cancelled document can be deleted."))
    return services.delete_record(actor=actor, instance=locked)

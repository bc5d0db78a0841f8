"""Demo contracts, receivables and receipts for ``manage.py seed_demo``: a contract for each won
opportunity, priced from the demo products, most approved with a payment plan of one to three
periods, receipts against the earlier periods (some paid, some partly paid, some overdue).

Called after sales (``ORDER``); rows are written in bulk with coherent owners and dates, without audit
entries, like the other demo modules. Amounts follow the same arithmetic as the services (contracts.lines).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from core.basedata import ensure_default_lookups
from core.models import LookupItem
from core.numbering import next_code
from products.models import Product
from sales.models import Opportunity

from .lines import CENT, line_amount
from .models import Contract, DocumentLine, DocumentStatus, PlanPeriod, Receipt, Receivable

ORDER = 45
TERMS = "货到验收合格后按付款计划付款；质保期一年。"


def _split(amount: Decimal, parts: int) -> list[Decimal]:
    """Equal periods to the cent; the last takes the remainder so the plan sums to the amount."""
    share = (amount / parts).quantize(CENT, rounding=ROUND_HALF_UP)
    return [share] * (parts - 1) + [amount - share * (parts - 1)]


def seed(ctx) -> None:
    rng = ctx.rng("contracts")
    ensure_default_lookups(["payment_method"])
    methods = list(LookupItem.objects.filter(kind="payment_method", active=True))
    products = list(Product.objects.filter(status=Product.Status.ACTIVE).select_related("base_unit")[:200])
    won = list(Opportunity.objects.filter(status=Opportunity.Status.WON).select_related("customer")
               .order_by("id")[:400])
    if not products or not won:
        ctx.log("contracts: no won opportunities or products, nothing to seed")
        return
    today = timezone.localdate()
    contracts, lines_of, plans_of = [], {}, {}
    for opp in won:
        signed = (opp.actual_close or opp.planned_close or today) if rng.random() < 0.9 else today
        signed = min(signed, today)
        rows = []
        for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
            quantity = Decimal(rng.choice((1, 2, 5, 10, 20, 50)))
            price = product.list_price or Decimal(rng.randint(50, 5000))
            discount = Decimal(rng.choice((0, 0, 5, 10)))
            rows.append(DocumentLine(product=product, unit=product.base_unit, quantity=quantity, price=price,
                                     discount=discount, tax_rate=product.tax_rate,
                                     amount=line_amount(quantity, price, discount)))
        amount = sum((r.amount for r in rows), Decimal("0.00"))
        approved = rng.random() < 0.85
        code = next_code("contract", when=signed,
                         taken=lambda c: Contract.all_objects.filter(code=c).exists())
        contracts.append(Contract(
            code=code, title=opp.subject, customer=opp.customer, opportunity=opp, owner_id=opp.owner_id,
            department_id=opp.department_id, created_by_id=opp.owner_id, our_signer_id=opp.owner_id,
            sign_date=signed, start_date=signed, end_date=signed + timedelta(days=365), amount=amount,
            expected_margin=Decimal(rng.choice((15, 20, 25, 30))), terms=TERMS,
            status=DocumentStatus.EXECUTING if approved else DocumentStatus.DRAFT,
            approved_by_id=opp.owner_id if approved else None,
            approved_at=timezone.now() if approved else None))
        lines_of[code] = rows
        parts = rng.choice((1, 2, 3))
        plans_of[code] = [(n, signed + timedelta(days=30 * n), part)
                          for n, part in enumerate(_split(amount, parts), start=1)]
    Contract.objects.bulk_create(contracts)
    saved = {c.code: c for c in Contract.objects.filter(code__in=list(lines_of))}
    all_lines, all_plans, receivables = [], [], []
    for code, contract in saved.items():
        for row in lines_of[code]:
            row.contract = contract
            all_lines.append(row)
        for number, due, part in plans_of[code]:
            all_plans.append(PlanPeriod(contract=contract, period=number, due_date=due, amount=part))
            if contract.status != DocumentStatus.DRAFT:
                receivables.append(Receivable(
                    contract=contract, customer_id=contract.customer_id, period=number, due_date=due, amount=part,
                    received=Decimal("0.00"), balance=part, owner_id=contract.owner_id,
                    department_id=contract.department_id, created_by_id=contract.owner_id))
    DocumentLine.objects.bulk_create(all_lines)
    PlanPeriod.objects.bulk_create(all_plans)
    Receivable.objects.bulk_create(receivables)
    receipts = []
    for receivable in Receivable.objects.filter(contract__in=list(saved.values())).order_by("id"):
        if receivable.due_date > today + timedelta(days=15) or rng.random() < 0.25:
            continue  # not due yet, or the customer has not paid: pending / overdue
        paid = receivable.amount if rng.random() < 0.7 else (receivable.amount / 2).quantize(CENT)
        receivable.received, receivable.balance = paid, receivable.amount - paid
        receipts.append(Receipt(receivable=receivable, amount=paid, date=min(receivable.due_date, today),
                                method=rng.choice(methods) if methods else None,
                                idempotency_key=f"demo-{receivable.pk}", created_by_id=receivable.owner_id))
    Receipt.objects.bulk_create(receipts)
    Receivable.objects.bulk_update([r.receivable for r in receipts], ["received", "balance"])
    ctx.log(f"contracts: {len(saved)} contracts, {len(receivables)} receivables, {len(receipts)} receipts")

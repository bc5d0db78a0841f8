"""Demo contracts, receivables and receipts for ``manage.py seed_demo``: a contract for each won
opportunity, signed a few days after the win and priced from its last quote (sales.demo_quotes) or,
without one, from the demo products; most approved with a payment plan of one to three periods.

Receipts follow how customers pay: most pay each period around its due date, some in two transfers,
some only part, some not at all (overdue); periods not yet due are pending, a few paid early. Contracts
whose receivables are all paid for months are completed. Dates run over the whole year, so receipts,
receivables and the overdue list look like a year of business.

Called after sales (``ORDER``); rows are written in bulk with coherent owners and dates, without audit
entries, like the other demo modules. Amounts follow the same arithmetic as the services (contracts.lines).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from core.basedata import ensure_default_lookups
from core.models import LookupItem
from core.numbering import next_code
from customers.models import Contact
from products.models import Product
from sales.models import Opportunity, Project, Quote

from .lines import CENT, HUNDRED, line_amount
from .models import Contract, DocumentLine, DocumentStatus, PlanPeriod, Receipt, Receivable

ORDER = 45
TERMS = "货到验收合格后按付款计划付款；质保期一年。"
# Payment plans: shares of the amount per period (the last period takes the rounding remainder).
PLANS = (((Decimal("1"),), 4), ((Decimal("0.3"), Decimal("0.7")), 3), ((Decimal("0.5"), Decimal("0.5")), 2),
         ((Decimal("0.3"), Decimal("0.6"), Decimal("0.1")), 3))
METHOD_WEIGHTS = {"bank_transfer": 60, "acceptance_bill": 15, "wechat_pay": 5, "alipay": 5, "cheque": 6, "cash": 3,
                  "card": 3, "other": 1}


def _split(amount: Decimal, shares: tuple[Decimal, ...]) -> list[Decimal]:
    """Periods to the cent; the last takes the remainder so the plan sums to the amount."""
    parts = [(amount * share).quantize(CENT, rounding=ROUND_HALF_UP) for share in shares[:-1]]
    return [*parts, amount - sum(parts, Decimal("0.00"))]


def _pick(rng, rows):
    total = sum(weight for _value, weight in rows)
    pick = rng.uniform(0, total)
    for value, weight in rows:
        pick -= weight
        if pick <= 0:
            return value
    return rows[-1][0]


def _at(day: date, rng, now: datetime) -> datetime:
    return min(timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)))), now)


def _last_quotes(won: list) -> dict[int, Quote]:
    """The last quote sent on each won opportunity, with its lines."""
    quotes = (Quote.objects.filter(contact_record__opportunity__in=won, status=Quote.Status.SENT)
              .select_related("contact_record").prefetch_related("lines__unit", "lines__product")
              .order_by("contact_record__seq"))
    return {quote.contact_record.opportunity_id: quote for quote in quotes}


def _lines_from_quote(quote: Quote) -> list[DocumentLine]:
    # Quote prices exclude tax, contract prices include it (contracts.lines); quantities and discounts carry over.
    rows = []
    for line in quote.lines.all():
        price = (line.unit_price * (HUNDRED + line.tax_rate) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)
        rows.append(DocumentLine(product=line.product, unit=line.unit, quantity=line.quantity, price=price,
                                 discount=line.discount, tax_rate=line.tax_rate,
                                 amount=line_amount(line.quantity, price, line.discount)))
    return rows


def _lines_from_products(rng, products: list) -> list[DocumentLine]:
    rows = []
    for product in rng.sample(products, k=min(len(products), rng.randint(1, 3))):
        quantity = Decimal(rng.choice((1, 2, 5, 10, 20, 50)))
        price = product.list_price or Decimal(rng.randint(50, 5000))
        discount = Decimal(rng.choice((0, 0, 5, 10)))
        rows.append(DocumentLine(product=product, unit=product.base_unit, quantity=quantity, price=price,
                                 discount=discount, tax_rate=product.tax_rate,
                                 amount=line_amount(quantity, price, discount)))
    return rows


def _payments(rng, receivable: Receivable, start: date, today: date) -> list[tuple[date, Decimal]]:
    """(date, amount) of the receipts a customer made against one period."""
    amount, due = receivable.amount, receivable.due_date

    def on(day: date) -> date:
        return max(start, min(day, today))

    def part() -> Decimal:
        return (amount * Decimal(rng.randint(30, 70)) / HUNDRED).quantize(CENT)

    roll = rng.random()
    if due > today + timedelta(days=45):
        return []  # not due for a while: pending
    if due > today:
        if roll < 0.15:
            return [(on(due - timedelta(days=rng.randint(1, 10))), amount)]
        return [(on(due - timedelta(days=rng.randint(1, 30))), part())] if roll < 0.6 else []
    late = (today - due).days
    unpaid = 0.15 if late < 45 else 0.05
    if roll < unpaid:
        return []  # overdue
    if roll < unpaid + 0.1:
        return [(on(due + timedelta(days=rng.randint(-5, 15))), part())]  # overdue, partly paid
    first = due + timedelta(days=rng.randint(-7, 25))
    if first > today:
        return []  # will pay late: overdue for now
    if rng.random() < 0.25:  # in two transfers
        share, second = part(), first + timedelta(days=rng.randint(15, 45))
        if second > today:
            return [(on(first), share)]
        return [(on(first), share), (on(second), amount - share)]
    return [(on(first), amount)]


def seed(ctx) -> None:
    rng = ctx.rng("contracts")
    ensure_default_lookups(["payment_method"])
    methods = [(m, METHOD_WEIGHTS.get(m.code, 1)) for m in LookupItem.objects.filter(kind="payment_method", active=True)]
    products = list(Product.objects.filter(status=Product.Status.ACTIVE).select_related("base_unit")[:200])
    won = list(Opportunity.objects.filter(status=Opportunity.Status.WON).select_related("customer")
               .order_by("id")[:400])
    if not products or not won:
        ctx.log("contracts: no won opportunities or products, nothing to seed")
        return
    now = ctx.now
    today = timezone.localtime(now).date()
    quotes = _last_quotes(won)
    projects = {p.opportunity_id: p.pk for p in Project.objects.filter(opportunity__in=won)}
    signers = {}
    for contact in Contact.objects.filter(customer__in=[o.customer_id for o in won]).order_by("-id"):
        signers[contact.customer_id] = contact.pk  # the first contact of each customer
    approver = next(iter(ctx.users_with_role("sales_director")), None) or ctx.admin
    clerk = next(iter(ctx.users_with_role("finance")), None)

    deals = []
    for opp in won:
        closed = opp.actual_close or opp.planned_close or today
        signed = min(closed + timedelta(days=rng.randint(0, 10)), today)
        rows = _lines_from_quote(quotes[opp.pk]) if opp.pk in quotes else _lines_from_products(rng, products)
        deals.append((signed, opp, rows))
    deals.sort(key=lambda deal: (deal[0], deal[1].pk))  # numbered in the order they were signed

    contracts, lines_of, plans_of = [], {}, {}
    for signed, opp, rows in deals:
        amount = sum((r.amount for r in rows), Decimal("0.00"))
        approved = rng.random() < (0.97 if (today - signed).days > 20 else 0.6)
        signed_at = _at(signed, rng, now)
        approved_at = min(signed_at + timedelta(hours=rng.randint(2, 72)), now) if approved else None
        code = next_code("contract", when=signed, taken=lambda c: Contract.all_objects.filter(code=c).exists())
        contracts.append(Contract(
            code=code, title=opp.subject, customer=opp.customer, opportunity=opp, project_id=projects.get(opp.pk),
            owner_id=opp.owner_id, department_id=opp.department_id, created_by_id=opp.owner_id,
            our_signer_id=opp.owner_id, their_signer_id=signers.get(opp.customer_id), sign_date=signed,
            start_date=signed, end_date=signed + timedelta(days=365), amount=amount,
            expected_margin=Decimal(rng.choice((15, 20, 25, 30))), terms=TERMS,
            status=DocumentStatus.EXECUTING if approved else DocumentStatus.DRAFT,
            approved_by=approver if approved else None, approved_at=approved_at,
            created_at=signed_at, updated_at=approved_at or signed_at))
        lines_of[code] = rows
        due = signed + timedelta(days=rng.randint(7, 20))
        plan = []
        for number, part in enumerate(_split(amount, _pick(rng, PLANS)), start=1):
            plan.append((number, due, part))
            due += timedelta(days=rng.randint(30, 75))
        plans_of[code] = plan
    dates = {c.code: (c.created_at, c.updated_at) for c in contracts}
    Contract.objects.bulk_create(contracts)
    saved = {c.code: c for c in Contract.objects.filter(code__in=list(lines_of))}
    all_lines, all_plans, receivables = [], [], []
    for code, contract in saved.items():
        contract.created_at, contract.updated_at = dates[code]
        for row in lines_of[code]:
            row.contract = contract
            all_lines.append(row)
        for number, due, part in plans_of[code]:
            all_plans.append(PlanPeriod(contract=contract, period=number, due_date=due, amount=part))
            if contract.status != DocumentStatus.DRAFT:
                receivables.append(Receivable(
                    contract=contract, customer_id=contract.customer_id, period=number, due_date=due, amount=part,
                    received=Decimal("0.00"), balance=part, owner_id=contract.owner_id,
                    department_id=contract.department_id, created_by=approver,
                    created_at=contract.approved_at, updated_at=contract.approved_at))
    DocumentLine.objects.bulk_create(all_lines)
    PlanPeriod.objects.bulk_create(all_plans)
    stamps = [(r.created_at, r.updated_at) for r in receivables]
    receivables = Receivable.objects.bulk_create(receivables)
    for receivable, (created_at, updated_at) in zip(receivables, stamps, strict=True):
        receivable.created_at, receivable.updated_at = created_at, updated_at

    receipts = []
    for receivable in receivables:
        contract = receivable.contract
        start = timezone.localtime(contract.approved_at).date()
        for n, (day, paid) in enumerate(_payments(rng, receivable, start, today), start=1):
            receivable.received += paid
            receivable.balance = receivable.amount - receivable.received
            receivable.updated_at = _at(day, rng, now)
            receipts.append(Receipt(receivable=receivable, amount=paid, date=day,
                                    method=_pick(rng, methods) if methods else None,
                                    idempotency_key=f"demo-{receivable.pk}-{n}",
                                    created_by=clerk or contract.owner, notes=""))
    Receipt.objects.bulk_create(receipts)
    for receipt in receipts:
        receipt.created_at = _at(receipt.date, rng, now)
    Receipt.objects.bulk_update(receipts, ["created_at"], batch_size=500)
    Receivable.objects.bulk_update(receivables, ["received", "balance", "created_at", "updated_at"], batch_size=500)

    open_ = {r.contract_id for r in receivables if r.balance > 0}
    for contract in saved.values():
        if contract.status == DocumentStatus.EXECUTING and contract.pk not in open_ \
                and (today - contract.sign_date).days > 120:
            contract.status = DocumentStatus.COMPLETED
    Contract.objects.bulk_update(list(saved.values()), ["status", "created_at", "updated_at"], batch_size=500)
    ctx.log(f"contracts: {len(saved)} contracts, {len(receivables)} receivables, {len(receipts)} receipts")

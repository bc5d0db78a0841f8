"""Demo quotes (报价单) for ``manage.py seed_demo``, after the pipeline (sales.demo) and before the
contracts (contracts.demo), which price won deals from their last quote.

Every opportunity that reached the proposal stage was quoted on its proposal record; about half of
those that went on to negotiate got a revised quote, with a deeper discount, on the negotiation record.
Some projects were quoted again on a maintenance record (add-on purchases). At most one quote per
record, as the services allow. Lines price products of the opportunity's subject (sales.demo.SUBJECTS)
so the quote lands near the opportunity's expected amount; line and quote totals come from the
services' own arithmetic (QuoteLine.compute and services_quotes._save_lines).

Statuses follow the approval rule and the outcome: a quote with a line below the author's allowed
price level was submitted for approval (pending, then approved or rejected by the author's superior),
the others were approved on submission; quotes of won and lost deals, and superseded ones, were sent;
the current quote of an open deal may still be a draft, pending, rejected, approved or sent.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.numbering import next_code
from products.models import Product, UnitConversion
from products.selectors import min_allowed_price

from .demo import SUBJECTS, _bulk_keeping_dates, _weighted
from .models import ContactRecord, MaintenanceRecord, Opportunity, Quote, QuoteLine
from .services_quotes import _save_lines

ORDER = 42
REVISED = 0.5  # share of negotiated deals with a second, revised quote
ADD_ON = 0.3  # share of projects quoted again on a maintenance record
ADD_ON_PRODUCTS = ("A4复印纸", "原装硒鼓", "终端杀毒软件", "数据库运维服务", "无线键鼠套装")
TAX_EXCLUDED = Decimal("1.13")
CENT = Decimal("0.01")
Status = Quote.Status
NOTES = ("含安装调试与一年质保", "报价含运费，送货上门", "批量采购价格，需一次性下单", "")
APPROVED_NOTES = ("同意该折扣，注意回款周期", "同意，客户为重点客户", "同意，下不为例")
REJECTED_NOTES = ("折扣超出权限，请调整后重新提交", "价格过低，毛利不足", "请先确认客户预算再报价")


class _Levels:
    """min_allowed_price per (author, product, unit), asked once: the same rule as needs_approval."""

    def __init__(self):
        self.cache: dict[tuple, Decimal] = {}

    def below(self, author, line: QuoteLine) -> bool:
        key = (author.pk, line.product_id, line.unit_id)
        if key not in self.cache:
            self.cache[key] = min_allowed_price(author, line.product, line.unit)
        return line.effective_price < self.cache[key]


def _lines(rng, names, products: dict, boxes: dict, target: Decimal, deeper: int) -> list[QuoteLine]:
    chosen = [products[n] for n in names if n in products] or list(products.values())[:3]
    chosen = [chosen[0], *rng.sample(chosen[1:], k=min(len(chosen) - 1, rng.randint(0, 2)))]
    rest = len(chosen) - 1
    main = rng.uniform(0.55, 0.85) if rest else 1.0
    shares = [main, *([(1 - main) / rest] * rest if rest else [])]
    lines = []
    for position, (product, share) in enumerate(zip(chosen, shares, strict=True), start=1):
        unit, factor = product.base_unit, Decimal("1")
        budget = target * Decimal(str(share))
        box = boxes.get(product.pk)
        if box and budget > product.list_price * box[1] * 2:
            unit, factor = box  # bulk goods are quoted by the box
        price = (product.list_price * factor).quantize(CENT, rounding=ROUND_HALF_UP)
        quantity = max(Decimal("1"), (budget / price).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        discount = Decimal(rng.choice((0, 0, 3, 5, 8, 10)) + (deeper if position == 1 else 0))
        line = QuoteLine(position=position, product=product, unit=unit, quantity=quantity, unit_price=price,
                         discount=min(discount, Decimal("30")), tax_rate=product.tax_rate)
        line.compute()
        lines.append(line)
    return lines


def _status(rng, *, latest: bool, outcome: str, below: bool) -> str:
    if not latest:  # superseded by the revised quote
        return Status.REJECTED if below and rng.random() < 0.3 else Status.SENT
    if outcome in (Opportunity.Status.WON, Opportunity.Status.LOST):
        return Status.SENT
    if outcome == Opportunity.Status.TERMINATED:
        return rng.choice((Status.DRAFT, Status.SENT)) if not below else Status.REJECTED
    if below:
        return _weighted(rng, ((Status.PENDING, 45), (Status.REJECTED, 20), (Status.APPROVED, 15), (Status.SENT, 20)))
    return _weighted(rng, ((Status.DRAFT, 30), (Status.APPROVED, 25), (Status.SENT, 45)))


def _decide(rng, quote: Quote, *, status: str, below: bool, approver, now) -> None:
    """Fill the approval and sending fields a quote in ``status`` went through."""
    quote.status = status
    moment = quote.created_at
    if status in (Status.APPROVED, Status.SENT, Status.REJECTED):
        moment = min(moment + timedelta(hours=rng.randint(1, 30)) if below else moment, now)
        quote.decided_at = moment
        if below:  # decided by a manager; otherwise approved on submission, by no one
            quote.approved_by = approver if status != Status.REJECTED else None
            quote.decision_note = rng.choice(REJECTED_NOTES if status == Status.REJECTED else APPROVED_NOTES)
    if status == Status.SENT:
        moment = quote.sent_at = min(moment + timedelta(hours=rng.randint(0, 20)), now)
    quote.updated_at = moment


def _plans(rng, now):
    """(record, opportunity or project, latest?, outcome, deeper discount) for every quote to make."""
    records = (ContactRecord.objects.filter(completed=True, stage__code__in=("proposal", "negotiation"))
               .select_related("stage", "opportunity__customer").order_by("opportunity_id", "seq"))
    by_opportunity: dict[int, dict] = {}
    for record in records:
        by_opportunity.setdefault(record.opportunity_id, {})[record.stage.code] = record
    plans = []
    for stages in by_opportunity.values():
        proposal, negotiation = stages.get("proposal"), stages.get("negotiation")
        if proposal is None:
            continue
        opportunity = proposal.opportunity
        revised = negotiation is not None and rng.random() < REVISED
        plans.append((proposal, opportunity, not revised, opportunity.status, 0))
        if revised:
            plans.append((negotiation, opportunity, True, opportunity.status, rng.choice((3, 5, 8))))
    for record in MaintenanceRecord.objects.filter(completed=True, seq=1).select_related("project__customer"):
        if rng.random() < ADD_ON:
            plans.append((record, record.project, True, "add_on", 0))
    return sorted(plans, key=lambda plan: plan[0].completed_at or now)


def seed(ctx) -> None:
    rng = ctx.rng("quotes")
    now = ctx.now
    products = {p.name: p for p in Product.objects.filter(status=Product.Status.ACTIVE).select_related("base_unit")}
    if not products:
        ctx.log("quotes: no products, nothing to seed")
        return
    boxes = {c.product_id: (c.unit, c.factor) for c in UnitConversion.objects.select_related("unit").order_by("factor")}
    users = {u.pk: u for u in get_user_model().objects.select_related("superior")}
    levels = _Levels()
    quotes, lines_of = [], []
    for record, parent, latest, outcome, deeper in _plans(rng, now):
        author = users.get(parent.owner_id)
        if author is None:
            continue  # nobody to have written it
        if outcome == "add_on":
            names, target = rng.sample(ADD_ON_PRODUCTS, 2), Decimal(rng.randrange(5_000, 40_000, 500))
        else:
            names = SUBJECTS.get(parent.subject, ((), ()))[0]
            target = parent.expected_amount / TAX_EXCLUDED * Decimal(str(rng.uniform(0.9, 1.05)))
        # One quote in three asks for a deeper discount on its main product than reps may give alone.
        lines = _lines(rng, names, products, boxes, target, deeper + (rng.choice((5, 8, 10)) if rng.random() < 0.35 else 0))
        below = any(levels.below(author, line) for line in lines)
        created = record.completed_at or now
        quote = Quote(
            code=next_code("quote", when=created), customer=parent.customer,
            contact_record=record if isinstance(record, ContactRecord) else None,
            maintenance_record=record if isinstance(record, MaintenanceRecord) else None,
            valid_until=timezone.localtime(created).date() + timedelta(days=30), notes=rng.choice(NOTES),
            owner_id=parent.owner_id, department_id=parent.department_id, created_by=author,
            created_at=created, updated_at=created)
        status = Status.SENT if outcome == "add_on" and not below else _status(
            rng, latest=latest, outcome=outcome if outcome != "add_on" else Opportunity.Status.OPEN, below=below)
        _decide(rng, quote, status=status, below=below, approver=author.superior or ctx.admin, now=now)
        quotes.append(quote)
        lines_of.append(lines)
    quotes = _bulk_keeping_dates(Quote, quotes)
    for quote, lines in zip(quotes, lines_of, strict=True):
        _save_lines(quote, lines)
    counts = {s: sum(q.status == s for q in quotes) for s in Status.values}
    ctx.log(f"quotes: {len(quotes)} quotes, {sum(map(len, lines_of))} lines; "
            + ", ".join(f"{n} {s}" for s, n in counts.items()))

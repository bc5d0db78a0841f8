"""Demo opportunities and projects for ``manage.py seed_demo``: about a year of pipeline for the demo
customers, with contact records completed in order (the opportunity's figures are those of its last
completed record), some audited and converted into projects, some lost or terminated.

The demo seeder calls ``seed(ctx)`` after the customers (``ORDER``); rows are written in bulk with
coherent owners and dates, like the other demo modules, without audit entries.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from core.basedata import ensure_default_lookups, win_rate
from core.models import LookupItem
from core.numbering import next_code

from .models import ContactRecord, MaintenanceRecord, Opportunity, Project, StageChange
from .models.pipeline import compute_amount

ORDER = 40
SHARE = 0.5  # opportunities per customer, on average
FLOW = ("initial", "needs", "proposal", "negotiation")
# Where an opportunity has got to today, with weights.
OUTCOMES = (("initial", 14), ("needs", 14), ("proposal", 16), ("negotiation", 12), ("won", 26), ("lost", 18))
SUBJECTS = ("ERP 系统升级", "生产线自动化改造", "年度耗材采购", "仓储管理系统", "数控机床采购", "办公设备更新", "MES 系统实施",
            "安防监控项目", "冷链设备采购", "包装线改造", "财务软件实施", "门店收银系统", "厂房照明节能改造",
            "检测仪器采购", "员工培训服务", "数据中心扩容", "物流车辆租赁", "空压机节能改造")
NOTES = ("客户预算已批，关注交付周期", "需要与技术部门再沟通参数", "竞争对手报价偏低，需突出服务优势",
         "决策人为总经理，需安排高层拜访", "", "")
RECORD_TEXT = {
    "initial": "电话初步沟通，了解客户现状与采购意向",
    "needs": "上门拜访，确认需求清单与预算范围",
    "proposal": "提交技术方案与报价，客户内部评审中",
    "negotiation": "商务谈判，讨论付款方式与交付时间",
    "won": "合同条款确认，客户同意签约",
    "lost": "客户告知选择其他供应商",
}
NEXT_STEP = {"initial": "约定上门拜访", "needs": "准备方案", "proposal": "跟进评审结果", "negotiation": "推动签约",
             "won": "安排合同签订", "lost": "保持联系，关注下次机会"}


def _moment(day: date, rng, now: datetime) -> datetime:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return min(timezone.make_aware(datetime.combine(day, time(rng.randint(9, 17), rng.randint(0, 59)))), now)


def _weighted(rng, rows):
    total = sum(w for _v, w in rows)
    pick = rng.uniform(0, total)
    for value, weight in rows:
        pick -= weight
        if pick <= 0:
            return value
    return rows[-1][0]


def _bulk_keeping_dates(model, rows: list) -> list:
    dates = [(row.created_at, row.updated_at) for row in rows]
    created = model.objects.bulk_create(rows, batch_size=500)
    for row, (created_at, updated_at) in zip(created, dates, strict=True):
        row.created_at, row.updated_at = created_at, updated_at
    model.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=200)
    return created


def seed(ctx) -> None:
    ensure_default_lookups(["sales_stage", "lost_reason", "customer_source"])
    rng = ctx.rng("sales")
    stages = {item.code: item for item in LookupItem.objects.filter(kind="sales_stage")}
    reasons = list(LookupItem.objects.filter(kind="lost_reason"))
    sources = list(LookupItem.objects.filter(kind="customer_source"))
    now = ctx.now
    today = timezone.localtime(now).date()
    customers = [c for c in ctx.customers if c.owner_id and rng.random() < SHARE * 1.6][: int(len(ctx.customers) * SHARE) or 1]
    plans = []
    for customer in customers:
        start = today - timedelta(days=rng.randint(3, 360))
        outcome = _weighted(rng, OUTCOMES)
        path = list(FLOW[: FLOW.index(outcome) + 1]) if outcome in FLOW else [*FLOW[: rng.randint(1, 4)], outcome]
        # Steps spread between the start and today; an open opportunity may have one record still open.
        span = max((today - start).days, len(path))
        days = sorted(rng.sample(range(span), len(path))) if span >= len(path) else list(range(len(path)))
        expected = Decimal(rng.randrange(20_000, 1_500_000, 1000))
        plans.append((customer, start, path, [start + timedelta(days=d) for d in days], expected))
    plans.sort(key=lambda p: p[1])

    opportunities, record_rows, stint_rows, project_plans = [], [], [], []
    for customer, start, path, days, expected in plans:
        final = stages[path[-1]]
        rate = Decimal(win_rate(final) or 0)
        created = _moment(start, rng, now)
        status = path[-1] if path[-1] in ("won", "lost") else Opportunity.Status.OPEN
        terminated = status == Opportunity.Status.OPEN and rng.random() < 0.08
        audited = status == Opportunity.Status.WON and rng.random() < 0.75
        owner = customer.owner
        opportunity = Opportunity(
            code=next_code("opportunity", when=created), subject=rng.choice(SUBJECTS), customer=customer,
            stage=final, win_rate=rate, cost_estimate=(expected * Decimal("0.6")).quantize(Decimal("1")),
            expected_amount=expected, amount=compute_amount(expected, rate), start_date=start,
            planned_close=start + timedelta(days=rng.randint(30, 150)),
            actual_close=days[-1] if status != Opportunity.Status.OPEN else None,
            status=Opportunity.Status.TERMINATED if terminated else status, terminated=terminated,
            lost_reason=rng.choice(reasons) if status == Opportunity.Status.LOST else None,
            source=rng.choice(sources) if sources else None, notes=rng.choice(NOTES),
            audited=audited, audited_by=owner if audited else None,
            audited_at=_moment(days[-1], rng, now) if audited else None,
            stage_entered_at=_moment(days[-1], rng, now), owner=owner, department=owner.department,
            created_by=owner, created_at=created, updated_at=_moment(days[-1], rng, now),
        )
        opportunities.append((opportunity, path, days))
    saved = _bulk_keeping_dates(Opportunity, [o for o, _p, _d in opportunities])

    for opportunity, (_o, path, days) in zip(saved, opportunities, strict=True):
        for seq, (code, day) in enumerate(zip(path, days, strict=True), start=1):
            stage = stages[code]
            moment = _moment(day, rng, now)
            record_rows.append(ContactRecord(
                opportunity=opportunity, seq=seq, date=timezone.localtime(moment).date(), stage=stage, win_rate=Decimal(win_rate(stage) or 0),
                cost_estimate=opportunity.cost_estimate, expected_amount=opportunity.expected_amount,
                start_date=opportunity.start_date, planned_close=opportunity.planned_close,
                actual_close=opportunity.actual_close if seq == len(path) else None,
                content=RECORD_TEXT[code], next_step=NEXT_STEP[code], completed=True, completed_at=moment,
                owner=opportunity.owner, department=opportunity.department, created_by=opportunity.owner,
                created_at=moment, updated_at=moment))
            left = _moment(days[seq], rng, now) if seq < len(path) else None
            stint_rows.append(StageChange(opportunity=opportunity, stage=stage, entered_at=moment, left_at=left,
                                          changed_by=opportunity.owner))
        if opportunity.status == Opportunity.Status.OPEN and rng.random() < 0.4:
            # A visit planned but not yet done: an open record after the completed ones.
            planned = min(days[-1] + timedelta(days=rng.randint(3, 20)), today)
            moment = _moment(planned, rng, now)
            record_rows.append(ContactRecord(
                opportunity=opportunity, seq=len(path) + 1, date=timezone.localtime(moment).date(), stage=opportunity.stage,
                win_rate=opportunity.win_rate, cost_estimate=opportunity.cost_estimate,
                expected_amount=opportunity.expected_amount, content="计划再次拜访，推进下一阶段", next_step="",
                owner=opportunity.owner, department=opportunity.department, created_by=opportunity.owner,
                created_at=moment, updated_at=moment))
        if opportunity.audited and rng.random() < 0.6:
            project_plans.append(opportunity)
    _bulk_keeping_dates(ContactRecord, record_rows)
    StageChange.objects.bulk_create(stint_rows, batch_size=500)

    projects = []
    for opportunity in project_plans:
        moment = min(opportunity.audited_at + timedelta(days=rng.randint(1, 5)), now)
        projects.append(Project(
            code=next_code("project", when=moment), subject=opportunity.subject, customer=opportunity.customer,
            opportunity=opportunity, stage=opportunity.stage, win_rate=opportunity.win_rate,
            cost_estimate=opportunity.cost_estimate, expected_amount=opportunity.expected_amount,
            amount=opportunity.amount, start_date=timezone.localtime(moment).date(),
            planned_close=timezone.localtime(moment).date() + timedelta(days=rng.randint(60, 240)),
            owner=opportunity.owner, department=opportunity.department, created_by=opportunity.owner,
            created_at=moment, updated_at=moment))
    projects = _bulk_keeping_dates(Project, projects)
    Opportunity.objects.filter(pk__in=[p.opportunity_id for p in projects]).update(converted=True)
    maintenance = []
    for project in projects:
        day = project.start_date
        for seq in range(1, rng.randint(1, 3) + 1):
            day = min(day + timedelta(days=rng.randint(7, 40)), today)
            moment = _moment(day, rng, now)
            maintenance.append(MaintenanceRecord(
                project=project, seq=seq, date=timezone.localtime(moment).date(), stage=project.stage, win_rate=project.win_rate,
                cost_estimate=project.cost_estimate, expected_amount=project.expected_amount,
                content=rng.choice(("项目启动会，确认实施计划", "现场实施巡检", "用户培训完成", "阶段验收")),
                completed=True, completed_at=moment, owner=project.owner, department=project.department,
                created_by=project.owner, created_at=moment, updated_at=moment))
    _bulk_keeping_dates(MaintenanceRecord, maintenance)
    ctx.log(f"sales: {len(saved)} opportunities, {len(record_rows)} contact records, {len(projects)} projects")

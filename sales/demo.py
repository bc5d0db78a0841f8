"""Demo opportunities and projects for ``manage.py seed_demo``: about a year of pipeline for the demo
customers, with contact records completed in order (the opportunity's figures are those of its last
completed record), some audited and converted into projects, some lost or terminated.

Each opportunity gets a start date in the last thirteen months and a sales cycle of one to five months:
those whose cycle has run out are won or lost (a few stall), the others are still open at the stage
their elapsed share of the cycle has reached. So older months show closed deals and recent ones an
open funnel, as in a real pipeline. Subjects match the demo catalogue (products.demo), so the quotes
(sales.demo_quotes) and contracts (contracts.demo) seeded after this price believable products.

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
SHARE = 0.5  # customers with an opportunity
REPEAT = 0.3  # of those, the share with a second one
SALES_ROLES = ("sales_rep", "sales_manager", "sales_director", "boss")
FLOW = ("initial", "needs", "proposal", "negotiation")
# subject → (demo product names it is about, main one first; expected amount range in yuan)
SUBJECTS = {
    "办公电脑集中采购": (("商用台式电脑", "液晶显示器", "无线键鼠套装"), (80_000, 600_000)),
    "笔记本电脑更新": (("商用笔记本电脑", "USB扩展坞"), (60_000, 400_000)),
    "打印复印设备更新": (("数码复合机", "黑白激光打印机", "彩色激光打印机"), (30_000, 200_000)),
    "年度办公耗材采购": (("A4复印纸", "原装硒鼓", "中性签字笔", "文件夹"), (20_000, 150_000)),
    "ERP 系统升级": (("ERP管理软件", "数据库运维服务"), (100_000, 400_000)),
    "财务软件实施": (("财务软件标准版", "电子发票接口服务"), (20_000, 80_000)),
    "协同办公平台建设": (("协同办公平台", "正版办公软件"), (60_000, 300_000)),
    "软件正版化采购": (("正版办公软件", "终端杀毒软件", "设计软件授权"), (30_000, 200_000)),
    "会议室视频改造": (("会议摄像头", "液晶显示器", "千兆交换机"), (20_000, 120_000)),
    "网络设备升级": (("千兆交换机", "无线路由器", "不间断电源"), (30_000, 150_000)),
    "档案数字化扫描": (("高速扫描仪", "移动硬盘"), (20_000, 100_000)),
    "门店票据打印设备": (("针式票据打印机", "色带架"), (20_000, 90_000)),
    "机房扩容与运维": (("不间断电源", "数据库运维服务", "移动硬盘"), (100_000, 500_000)),
    "新办公区 IT 配置": (("商用台式电脑", "黑白激光打印机", "千兆交换机", "无线路由器"), (100_000, 500_000)),
}
# How closed opportunities ended, with weights; "stalled" ones stay open without progress.
ENDINGS = (("won", 42), ("lost", 40), ("stalled", 18))
# Why deals are lost, by code of the lost_reason list, with weights (price and competitors lead).
LOST_WEIGHTS = {"price": 30, "competitor": 25, "budget": 12, "need_changed": 10, "product_fit": 8,
                "relationship": 5, "slow_response": 5, "other": 5}
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


def _moments(days: list[date], rng, now: datetime) -> list[datetime]:
    """Working-day moments for the days, strictly increasing (two steps on one weekend keep their order)."""
    out: list[datetime] = []
    for day in days:
        moment = _moment(day, rng, now)
        if out and moment <= out[-1]:
            moment = min(out[-1] + timedelta(minutes=rng.randint(30, 90)), now)
        out.append(moment)
    return out


def _record_text(code: str, opportunity) -> str:
    if code == "lost" and opportunity.lost_reason_id:
        return f"客户告知不再推进，原因：{opportunity.lost_reason.name}"
    return RECORD_TEXT[code]


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


def _offsets(rng, steps: int, last: int, *, ends_on_last: bool) -> list[int]:
    """Day offsets from the start for ``steps`` records: the first on day 0, increasing, within ``last``."""
    if steps == 1:
        return [0]
    inner = steps - 2 if ends_on_last else steps - 1
    pool = range(1, last) if ends_on_last else range(1, last + 1)
    middle = sorted(rng.sample(pool, inner)) if len(pool) >= inner else list(range(1, inner + 1))
    return [0, *middle, last] if ends_on_last else [0, *middle]


def _plan(rng, today: date) -> tuple[date, list[str], list[int], str]:
    """Start, stage path, day offsets and ending of one opportunity."""
    # Deals started over the last thirteen months (so the first months of the year have closings too),
    # more of them lately as the business grows; a cycle takes one to five months.
    start = today - timedelta(days=int(400 * rng.random() ** 1.2))
    cycle = rng.randint(30, 150)
    elapsed = (today - start).days
    if elapsed >= cycle:
        ending = _weighted(rng, ENDINGS)
        if ending == "won":
            path = [*FLOW[: rng.choice((3, 4, 4))], "won"]  # a quote was made before every win
            return start, path, _offsets(rng, len(path), cycle, ends_on_last=True), ending
        if ending == "lost":
            path = [*FLOW[: rng.randint(1, 4)], "lost"]
            return start, path, _offsets(rng, len(path), cycle, ends_on_last=True), ending
        path = list(FLOW[: rng.randint(1, 3)])
        return start, path, _offsets(rng, len(path), cycle // 2, ends_on_last=False), ending
    steps = min(len(FLOW), 1 + int(elapsed / cycle * len(FLOW)), elapsed + 1)
    return start, list(FLOW[:steps]), _offsets(rng, steps, elapsed, ends_on_last=False), "open"


def seed(ctx) -> None:
    ensure_default_lookups(["sales_stage", "lost_reason", "customer_source"])
    rng = ctx.rng("sales")
    stages = {item.code: item for item in LookupItem.objects.filter(kind="sales_stage")}
    reasons = [(item, LOST_WEIGHTS.get(item.code, 3)) for item in LookupItem.objects.filter(kind="lost_reason")]
    sources = list(LookupItem.objects.filter(kind="customer_source"))
    now = ctx.now
    today = timezone.localtime(now).date()
    # Opportunities belong to the sales force; customers kept by service or finance staff have none.
    sellers = {user.pk for name, user in ctx.users.items() if ctx.role_of.get(name) in SALES_ROLES}
    customers = [c for c in ctx.customers if c.owner_id and (c.owner_id in sellers or not sellers)
                 and rng.random() < SHARE * 1.6][: int(len(ctx.customers) * SHARE) or 1]
    # Good customers come back: some have a second opportunity.
    customers += [c for c in customers if rng.random() < REPEAT]
    plans = []
    for customer in customers:
        start, path, offsets, ending = _plan(rng, today)
        subject = rng.choice(list(SUBJECTS))
        low, high = SUBJECTS[subject][1]
        expected = Decimal(rng.randrange(low, high, 1000))
        days = [start + timedelta(days=d) for d in offsets]
        plans.append((customer, start, path, days, ending, subject, expected))
    plans.sort(key=lambda p: p[1])

    opportunities, record_rows, stint_rows, project_plans = [], [], [], []
    for customer, start, path, days, ending, subject, expected in plans:
        moments = _moments(days, rng, now)
        final = stages[path[-1]]
        rate = Decimal(win_rate(final) or 0)
        status = path[-1] if path[-1] in ("won", "lost") else Opportunity.Status.OPEN
        terminated = ending == "stalled" and rng.random() < 0.35
        audited = status == Opportunity.Status.WON and rng.random() < 0.75
        owner = customer.owner
        opportunity = Opportunity(
            code=next_code("opportunity", when=moments[0]), subject=subject, customer=customer,
            stage=final, win_rate=rate, cost_estimate=(expected * Decimal("0.6")).quantize(Decimal("1")),
            expected_amount=expected, amount=compute_amount(expected, rate), start_date=start,
            planned_close=start + timedelta(days=rng.randint(30, 150)),
            actual_close=timezone.localtime(moments[-1]).date() if status != Opportunity.Status.OPEN else None,
            status=Opportunity.Status.TERMINATED if terminated else status, terminated=terminated,
            lost_reason=_weighted(rng, reasons) if status == Opportunity.Status.LOST and reasons else None,
            source=rng.choice(sources) if sources else None, notes=rng.choice(NOTES),
            audited=audited, audited_by=owner.superior or owner if audited else None,
            audited_at=min(moments[-1] + timedelta(days=rng.randint(0, 3)), now) if audited else None,
            stage_entered_at=moments[-1], owner=owner, department=owner.department,
            created_by=owner, created_at=moments[0], updated_at=moments[-1],
        )
        opportunities.append((opportunity, path, days, moments))
    saved = _bulk_keeping_dates(Opportunity, [row[0] for row in opportunities])

    for opportunity, (_o, path, _days, moments) in zip(saved, opportunities, strict=True):
        for seq, (code, moment) in enumerate(zip(path, moments, strict=True), start=1):
            stage = stages[code]
            record_rows.append(ContactRecord(
                opportunity=opportunity, seq=seq, date=timezone.localtime(moment).date(), stage=stage,
                win_rate=Decimal(win_rate(stage) or 0), cost_estimate=opportunity.cost_estimate,
                expected_amount=opportunity.expected_amount, start_date=opportunity.start_date,
                planned_close=opportunity.planned_close,
                actual_close=opportunity.actual_close if seq == len(path) else None,
                content=_record_text(code, opportunity), next_step=NEXT_STEP[code], completed=True,
                completed_at=moment,
                owner=opportunity.owner, department=opportunity.department, created_by=opportunity.owner,
                created_at=moment, updated_at=moment))
            left = moments[seq] if seq < len(path) else None
            stint_rows.append(StageChange(opportunity=opportunity, stage=stage, entered_at=moment, left_at=left,
                                          changed_by=opportunity.owner))
        if opportunity.status == Opportunity.Status.OPEN and rng.random() < 0.4:
            # A visit planned but not yet done: an open record after the completed ones, written
            # when the last one was completed, dated the day of the visit (often still ahead).
            moment = min(moments[-1] + timedelta(minutes=rng.randint(10, 120)), now)
            planned = timezone.localtime(moments[-1]).date() + timedelta(days=rng.randint(3, 20))
            planned += timedelta(days=max(0, 7 - planned.weekday()) if planned.weekday() >= 5 else 0)
            record_rows.append(ContactRecord(
                opportunity=opportunity, seq=len(path) + 1, date=planned,
                stage=opportunity.stage, win_rate=opportunity.win_rate, cost_estimate=opportunity.cost_estimate,
                expected_amount=opportunity.expected_amount, content="计划再次拜访，推进下一阶段", next_step="",
                owner=opportunity.owner, department=opportunity.department, created_by=opportunity.owner,
                created_at=moment, updated_at=moment))
        if opportunity.audited and rng.random() < 0.6:
            project_plans.append(opportunity)
    _bulk_keeping_dates(ContactRecord, record_rows)
    StageChange.objects.bulk_create(stint_rows, batch_size=500)

    projects = []
    for opportunity in sorted(project_plans, key=lambda o: o.audited_at):
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
        last = project.created_at
        for seq in range(1, rng.randint(1, 3) + 1):
            day += timedelta(days=rng.randint(7, 40))
            if day >= today:
                break  # later visits have not happened yet
            moment = max(_moment(day, rng, now), min(last + timedelta(hours=1), now))
            last = moment
            maintenance.append(MaintenanceRecord(
                project=project, seq=seq, date=timezone.localtime(moment).date(), stage=project.stage, win_rate=project.win_rate,
                cost_estimate=project.cost_estimate, expected_amount=project.expected_amount,
                content=rng.choice(("项目启动会，确认实施计划", "现场实施巡检", "用户培训完成", "阶段验收")),
                completed=True, completed_at=moment, owner=project.owner, department=project.department,
                created_by=project.owner, created_at=moment, updated_at=moment))
    _bulk_keeping_dates(MaintenanceRecord, maintenance)
    ctx.log(f"sales: {len(saved)} opportunities, {len(record_rows)} contact records, {len(projects)} projects")

"""Follow-up history, assignment history and the public pools of the demo company.

Every customer gets follow-ups over the last months, its last follow-up date follows them and its
history starts with "created". Two pools with rules: 华东公海 for the east sales department tree and
公司公海 for everyone; a few dozen customers already sit in them (released by hand or returned by
rule). Last follow-ups are spread so that some customers are well inside their rule, some close to
it and some past it; the rules job is run once at the end, so their owners already have warnings.
"""

from __future__ import annotations

from datetime import timedelta

from core.models import LookupItem
from customers.models import Contact, Customer, CustomerAssignment, FollowUp, Pool, PoolRule

from .customers import _create_keeping_dates, _office_time

ORDER = 90  # after the modules that give customers their records: a pooled customer keeps them
HISTORY_DAYS = 183
POOL_SHARE = 0.1  # of the customers, in a pool already

FOLLOWUP_TEXTS = (
    ("电话沟通本季度采购计划，客户预计下月下单。", "确认采购意向", "发送报价单"),
    ("上门拜访采购经理，介绍新款产品与价格政策。", "客户对新品感兴趣", "安排样品试用"),
    ("微信跟进样品试用情况，客户反馈质量稳定。", "试用通过", "准备合同草案"),
    ("客户询问交期与账期，说明标准交付周期为两周。", "等待客户内部审批", "一周后再次确认"),
    ("参加客户供应商大会，与技术负责人交流需求。", "获取新项目信息", "提交技术方案"),
    ("邮件发送年度框架协议条款，客户法务审核中。", "合同审核中", "跟进审核意见"),
    ("回访售后问题处理结果，客户表示满意。", "问题已解决", "季度回访"),
    ("客户反馈竞品报价更低，沟通价格与服务差异。", "价格谈判中", "申请特价"),
    ("视频会议演示系统方案，对方老板参加。", "方案获认可", "安排商务谈判"),
    ("短信提醒客户对账，确认上月发货数量。", "对账完成", ""),
)
METHODS = (("phone", 40), ("wechat", 25), ("visit", 20), ("email", 8), ("video", 4), ("sms", 3))
RELEASE_REASONS = ("客户暂无采购需求", "多次联系不上", "客户已选择其他供应商", "不在负责区域，交由他人跟进", "预算取消，项目搁置")
# (pool name, departments, limits, rules: (level code or None, days without follow-up, days without a deal))
POOLS = (
    ("华东公海", ("华东销售部",), {"hold_limit": 120, "daily_claim_limit": 10, "cooldown_days": 15, "warn_days": 3, "sort": 10,
                                  "description": "华东销售部（上海组、杭州组）的公海"},
     (("A", 60, None), ("B", 45, 240), (None, 30, 180))),
    ("公司公海", (), {"hold_limit": 150, "daily_claim_limit": 15, "cooldown_days": 30, "warn_days": 5, "sort": 20,
                     "description": "其他部门的客户回到这里，所有业务人员可领取"},
     ((None, 45, 365),)),
)


def _weighted(rng, items):
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def _pools(ctx) -> dict[str, Pool]:
    levels = {item.code: item for item in LookupItem.objects.filter(kind="customer_level")}
    pools = {}
    for name, departments, limits, rules in POOLS:
        pool = Pool.objects.create(name=name, **limits)
        pool.departments.set([ctx.departments[d] for d in departments if d in ctx.departments])
        for level, followup, deal in rules:
            PoolRule.objects.create(pool=pool, level=levels.get(level) if level else None,
                                    no_followup_days=followup, no_deal_days=deal)
        pools[name] = pool
    return pools


def _last_followup_age(rng) -> int:
    """Days since the last follow-up: most are recent, some near a 30-45 day rule, some past it."""
    band = _weighted(rng, (("recent", 72), ("near", 16), ("past", 12)))
    return {"recent": rng.randint(0, 20), "near": rng.randint(24, 42), "past": rng.randint(46, 120)}[band]


def seed(ctx) -> None:
    customers = list(ctx.customers)
    if not customers:
        return
    rng = ctx.rng("pools")
    methods = {item.code: item for item in LookupItem.objects.filter(kind="contact_method")}
    contacts: dict[int, list] = {}
    for contact in Contact.objects.filter(customer__in=customers).only("pk", "customer_id"):
        contacts.setdefault(contact.customer_id, []).append(contact)
    pools = _pools(ctx)
    start = ctx.now - timedelta(days=HISTORY_DAYS)

    followups, history = [], []
    for customer in customers:
        customer.owned_since = customer.created_at
        history.append(CustomerAssignment(customer=customer, kind=CustomerAssignment.Kind.CREATE, actor=customer.owner,
                                          to_owner=customer.owner, to_department=customer.department,
                                          at=customer.created_at))
        # Follow-ups walk back from the last one every one to five weeks, to the start of the history.
        moment = ctx.now - timedelta(days=_last_followup_age(rng))
        latest = None
        while moment >= max(customer.created_at, start):
            day = _office_time(rng, moment.date(), ctx.now)
            if day < customer.created_at:
                break
            content, result, next_step = rng.choice(FOLLOWUP_TEXTS)
            followups.append(FollowUp(
                customer=customer, contact=rng.choice(contacts.get(customer.pk) or [None]),
                method=methods.get(_weighted(rng, METHODS)), occurred_at=day, content=content, result=result,
                next_step=next_step, owner=customer.owner, department=customer.department,
                created_by=customer.owner, created_at=day, updated_at=day))
            latest = max(latest or day, day)
            moment -= timedelta(days=rng.randint(7, 35))
        customer.last_followup_at = latest
    _create_keeping_dates(FollowUp, followups)

    # A few dozen customers already in the pools: those nobody has followed up for the longest.
    open_ones = [c for c in customers if c.status != Customer.Status.DEAL]
    open_ones.sort(key=lambda c: c.last_followup_at or c.created_at)
    pooled = open_ones[:max(int(len(customers) * POOL_SHARE), 0)]
    east = ctx.departments.get("华东销售部")
    for customer in pooled:
        in_east = east is not None and customer.department.path.startswith(east.path)
        pool = pools["华东公海" if in_east else "公司公海"]
        since = customer.last_followup_at or customer.created_at
        # Released some time after the follow-ups stopped, before today.
        idle = max((ctx.now - since).days, 2)
        entered = min(since + timedelta(days=rng.randint(min(30, idle - 1), idle - 1), hours=rng.randint(0, 8)),
                      ctx.now - timedelta(hours=1))
        by_rule = rng.random() < 0.5
        history.append(CustomerAssignment(
            customer=customer, kind=CustomerAssignment.Kind.AUTO_RELEASE if by_rule else CustomerAssignment.Kind.RELEASE,
            actor=None if by_rule else customer.owner, from_owner=customer.owner, from_department=customer.department,
            to_department=customer.department, pool=pool, at=entered,
            reason=f"按规则退回：{(entered - since).days}天未跟进" if by_rule else rng.choice(RELEASE_REASONS)))
        customer.previous_owner, customer.owner, customer.pool = customer.owner, None, pool
        customer.pool_entered_at, customer.owned_since = entered, None
    Customer.objects.bulk_update(customers, ["owned_since", "last_followup_at", "owner", "previous_owner", "pool",
                                             "pool_entered_at"], batch_size=200)
    CustomerAssignment.objects.bulk_create(history, batch_size=500)

    from customers.pools.rules import apply_rules

    counts = apply_rules(now=ctx.now)
    ctx.log(f"pools: {len(pools)} pools, {len(followups)} follow-ups, {len(pooled)} customers in pools, "
            f"{counts['warned']} owners warned")

"""The benchmark data set: departments, salespeople and customers with contacts, built once with bulk
inserts (search keys included) and reused by later runs of the same size."""

import random

from django.db import connection, transaction

from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from customers.search import fill_own_keys
from org.models import Scope, User

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "刚"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "天津", "重庆"]
WORDS = ["科技", "贸易", "精密机械", "电子", "物流", "食品", "医疗器械", "新材料", "网络", "建材", "服饰", "化工"]


def vendor() -> str:
    return connection.vendor


@transaction.atomic
def _org():
    company = make_department("总公司")
    sales = make_department("销售中心", company)
    teams = [make_department(f"销售{i}组", sales) for i in range(1, 5)]
    seller_role = make_role("bench_sales", grants=full_grants("customers.customer", Scope.OWN))
    manager_role = make_role("bench_manager", grants=full_grants("customers.customer", Scope.SUBTREE))
    sellers = [make_user(f"bench_s{i}", department=teams[i % 4], roles=[seller_role]) for i in range(20)]
    make_user("bench_manager", department=sales, roles=[manager_role])
    return sellers


def build(size: int) -> dict:
    if not User.objects.filter(username="bench_manager").exists():
        _org()
    sellers = list(User.objects.filter(username__startswith="bench_s").order_by("id"))
    have = Customer.objects.count()
    rng = random.Random(have)
    batch = []
    for i in range(have, size):
        owner = sellers[i % len(sellers)]
        name = f"{rng.choice(CITIES)}{rng.choice(FAMILY)}{rng.choice(GIVEN)}{rng.choice(WORDS)}有限公司{i}"
        customer = Customer(name=name, code=f"KHB{i:08d}", phone=f"1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}",
                            owner=owner, department_id=owner.department_id, created_by=owner,
                            status=rng.choice(["potential", "intent", "deal", "lost"]))
        fill_own_keys(customer)
        batch.append(customer)
        if len(batch) == 2000:
            _flush(batch, rng)
            batch = []
    if batch:
        _flush(batch, rng)
    return {"customers": Customer.objects.count(), "contacts": Contact.objects.count(), "sellers": sellers,
            "manager": User.objects.get(username="bench_manager")}


@transaction.atomic
def _flush(batch, rng):
    created = Customer.objects.bulk_create(batch)
    if created and created[0].pk is None:  # backends without RETURNING: read the ids back
        codes = [c.code for c in batch]
        created = list(Customer.objects.filter(code__in=codes))
    Contact.objects.bulk_create([
        Contact(customer=c, name=f"{rng.choice(FAMILY)}{rng.choice(GIVEN)}", mobile=f"139{rng.randint(10000000, 99999999)}",
                owner_id=c.owner_id, department_id=c.department_id, created_by_id=c.owner_id)
        for c in created for _n in range(2)
    ])

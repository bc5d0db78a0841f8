"""The benchmark data set: a department tree with sellers, customers (2 contacts and 3 follow-ups each),
built in SQL (INSERT … SELECT over a number series) so a million customers take minutes, not hours.

Names are drawn from a pool of distinct realistic company and person names whose search keys are
computed here with customers.search itself (pinyin, initials, normalised phones), then copied in SQL;
:func:`verify_keys` recomputes a sample in Python so a wrong key fails the run instead of flattering it.
A data set already at the asked size is reused.
"""

from __future__ import annotations

import importlib
import itertools
import json
import random
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from core import dbstats
from core.models import LookupItem
from core.testing import full_grants, make_department, make_role, make_user
from customers.dedup import name_key
from customers.models import Contact, Customer, FollowUp
from customers.search import contact_keys, fill_own_keys
from org.models import Scope, User

CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "天津", "重庆"]
BRAND = "宏华盛鑫达泰恒祥瑞安信丰源通新利合兴隆昌德嘉辉永鸿富金中远海博立"
WORDS = ["科技", "贸易", "精密机械", "电子", "物流", "食品", "医疗器械", "新材料", "网络", "建材", "服饰", "化工"]
FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "华", "平", "刚"]
NAME_POOL = 30000
SELLERS = 20
CONTACTS_PER = 2
FOLLOWUPS_PER = 3
CODE_PREFIX = "KHB"  # codes of the generated customers: KHB00000001…
LEVELS = [("A", "A类"), ("B", "B类"), ("C", "C类")]


def vendor() -> str:
    return connection.vendor


@transaction.atomic
def _org():
    company = make_department("总公司")
    sales = make_department("销售中心", company)
    teams = [make_department(f"销售{i}组", sales) for i in range(1, 5)]
    seller_role = make_role("bench_sales", grants=full_grants("customers.customer", Scope.OWN))
    manager_role = make_role("bench_manager", grants={
        **full_grants("customers.customer", Scope.SUBTREE), **full_grants("customers.contact", Scope.SUBTREE),
        **full_grants("customers.followup", Scope.SUBTREE)})
    for i in range(SELLERS):
        make_user(f"bench_s{i}", department=teams[i % 4], roles=[seller_role])
    make_user("bench_manager", department=sales, roles=[manager_role])
    for sort, (code, label) in enumerate(LEVELS):
        LookupItem.objects.get_or_create(kind="customer_level", code=code, defaults={"name": label, "sort": sort})


def _world() -> dict:
    return {"customers": Customer.all_objects.count(), "contacts": Contact.all_objects.count(),
            "followups": FollowUp.all_objects.count(),
            "sellers": list(User.objects.filter(username__startswith="bench_s").order_by("id")),
            "manager": User.objects.get(username="bench_manager"),
            "levels": list(LookupItem.objects.filter(kind="customer_level").order_by("sort", "id"))}


def build(size: int) -> dict:
    if not User.objects.filter(username="bench_manager").exists():
        _org()
    # Rows added by other benchmarks (bench/imports.py imports into the same database) do not count.
    if Customer.all_objects.filter(code__startswith=CODE_PREFIX).count() == size:
        _ensure_search_indexes()
    else:
        started = time.perf_counter()
        with transaction.atomic():  # a run stopped half-way leaves the old data set and its indexes
            _wipe()
            _pools()
            _insert(size)
            verify_keys()
        print(f"built {size} customers in {time.perf_counter() - started:.0f} s")
    dbstats.refresh()  # SQLite: the statistics its daily job keeps (PostgreSQL: autovacuum's)
    return _world()


# ---- pools of names with their keys ---------------------------------------------------------

def _company_names() -> list[tuple[str, str, str]]:
    """(name, search keys, duplicate key) of NAME_POOL distinct company names; cached in var/ because
    converting them to pinyin takes most of a minute."""
    cache = Path(settings.VAR_DIR) / f"bench-names-{NAME_POOL}.json"
    if cache.exists():
        return [tuple(row) for row in json.loads(cache.read_text())]
    rng = random.Random(7)
    combos = [f"{c}{a}{b}{w}有限公司" for c in CITIES for a, b in itertools.permutations(BRAND, 2) for w in WORDS]
    rows = []
    for name in rng.sample(combos, min(NAME_POOL, len(combos))):
        probe = Customer(name=name, code="")
        fill_own_keys(probe)
        rows.append((name, probe.search_text, name_key(name)[:120]))
    cache.write_text(json.dumps(rows, ensure_ascii=False))
    return rows


def _person_pairs() -> list[tuple[str, str, str, str]]:
    """Two contact names per customer whose keys never overlap (so the joined keys need no dedup)."""
    people = [(f + g, contact_keys([Contact(name=f + g)])) for f in FAMILY for g in GIVEN]
    pairs = []
    for i, (name_a, keys_a) in enumerate(people):
        for step in range(1, len(people)):
            name_b, keys_b = people[(i * 7 + step) % len(people)]
            if not set(keys_a.split("|")) & set(keys_b.split("|")):
                pairs.append((name_a, keys_a, name_b, keys_b))
                break
    return pairs


def _pools() -> None:
    sellers = list(User.objects.filter(username__startswith="bench_s").order_by("id").values_list("id", "department_id"))
    levels = list(LookupItem.objects.filter(kind="customer_level").order_by("sort", "id").values_list("id", flat=True))
    with connection.cursor() as cur:
        for table in ("bench_names", "bench_people", "bench_sellers", "bench_levels"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute("CREATE TABLE bench_names (k integer PRIMARY KEY, name varchar(120), keys varchar(1000), nkey varchar(120))")
        cur.execute("CREATE TABLE bench_people (k integer PRIMARY KEY, name_a varchar(60), keys_a varchar(500), "
                    "name_b varchar(60), keys_b varchar(500))")
        cur.execute("CREATE TABLE bench_sellers (k integer PRIMARY KEY, user_id bigint, dept_id bigint)")
        cur.execute("CREATE TABLE bench_levels (k integer PRIMARY KEY, level_id bigint)")
        cur.executemany("INSERT INTO bench_names VALUES (%s, %s, %s, %s)", [(k, *row) for k, row in enumerate(_company_names())])
        cur.executemany("INSERT INTO bench_people VALUES (%s, %s, %s, %s, %s)", [(k, *row) for k, row in enumerate(_person_pairs())])
        cur.executemany("INSERT INTO bench_sellers VALUES (%s, %s, %s)", [(k, *row) for k, row in enumerate(sellers)])
        cur.executemany("INSERT INTO bench_levels VALUES (%s, %s)", list(enumerate(levels)))


# ---- bulk insert in SQL -----------------------------------------------------------------------

def _dialect(n: int) -> dict:
    if vendor() == "postgresql":
        return {"with": "", "series": f"generate_series(1::bigint, {n}) AS s(i)", "pad": "lpad(s.i::text, 8, '0')",
                "ago": lambda expr: f"now() - ({expr}) * interval '1 minute'", "json": "'{}'::jsonb"}
    return {"with": f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) ",
            "series": "s", "pad": "printf('%08d', s.i)",
            "ago": lambda expr: f"strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || ({expr}) || ' minutes')", "json": "'{}'"}


def _insert(size: int) -> None:
    d = _dialect(size)
    names, people = NAME_POOL, "(SELECT count(*) FROM bench_people)"
    created = d["ago"](f"({size} - s.i) / 2 + 10000")  # newer ids are newer customers
    last_fu = d["ago"]("(s.i * 37) % 90000")
    phone = f"'13' || (5 + s.i % 5) || substr({d['pad']}, 1, 8)"
    mobile = lambda j: f"'139' || substr({d['pad']}, 1, 7) || '{j}'"  # noqa: E731
    common = "created_at, updated_at, version, custom, deleted_at, owner_id, department_id, created_by_id"
    common_values = f"{created}, {created}, 1, {d['json']}, NULL, sl.user_id, sl.dept_id, sl.user_id"
    seller = f"JOIN bench_sellers sl ON sl.k = s.i % {SELLERS}"
    with connection.cursor() as cur:
        indexes = _drop_indexes(cur)
        cur.execute(
            f"{d['with']}INSERT INTO customers_customer (id, {common}, name, short_name, code, status, phone, website, "
            "address, credit_code, amount, notes, bank_account, bank_name, invoice_address, invoice_phone, "
            "invoice_title, tax_number, level_id, last_followup_at, search_text, phone_norm, name_key, contact_search) "
            f"SELECT s.i, {common_values}, n.name, '', 'KHB' || {d['pad']}, "
            "CASE s.i % 4 WHEN 0 THEN 'potential' WHEN 1 THEN 'intent' WHEN 2 THEN 'deal' ELSE 'lost' END, "
            f"{phone}, '', '', '', 0, '', '', '', '', '', '', '', lv.level_id, {last_fu}, "
            f"n.keys || '|khb' || {d['pad']}, '+86' || {phone}, n.nkey, "
            f"p.keys_b || '|86' || {mobile(1)} || '|' || p.keys_a || '|86' || {mobile(0)} "
            f"FROM {d['series']} {seller} JOIN bench_names n ON n.k = (s.i * 7919) % {names} "
            f"JOIN bench_people p ON p.k = (s.i * 31) % {people} JOIN bench_levels lv ON lv.k = s.i % 3")
        for j in range(CONTACTS_PER):
            cur.execute(
                f"{d['with']}INSERT INTO customers_contact (id, {common}, customer_id, name, title, mobile, email, notes, "
                "attitude, decision_role, department_name, gender, phone, wechat) "
                f"SELECT s.i * {CONTACTS_PER} - {CONTACTS_PER - 1 - j}, {common_values}, s.i, p.name_{'ab'[j]}, '', "
                f"{mobile(j)}, '', '', '', '', '', '', '', '' "
                f"FROM {d['series']} {seller} JOIN bench_people p ON p.k = (s.i * 31) % {people}")
        for j in range(FOLLOWUPS_PER):
            when = d["ago"](f"(s.i * 37) % 90000 + {j * 1440}")
            cur.execute(
                f"{d['with']}INSERT INTO customers_followup (id, {common}, customer_id, contact_id, occurred_at, content, "
                "result, next_step, location) "
                f"SELECT s.i * {FOLLOWUPS_PER} - {FOLLOWUPS_PER - 1 - j}, {common_values}, s.i, "
                f"s.i * {CONTACTS_PER} - {j % CONTACTS_PER}, {when}, "
                f"'电话沟通第' || {j + 1} || '次，客户关注交期和报价', '', '', '' FROM {d['series']} {seller}")
        _restore_indexes(cur, indexes)
        if vendor() == "postgresql":
            for table in TABLES:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                cur.execute(f"ANALYZE {table}")
        else:
            cur.execute("ANALYZE")


TABLES = ("customers_customer", "customers_contact", "customers_followup")


def _drop_indexes(cur) -> list[str]:
    """PostgreSQL: drop the secondary indexes of the three tables (returning their definitions) and
    switch off foreign-key triggers for this session: building each index once after the load is many
    times faster than updating forty of them row by row. Rows are generated consistent, so no check is lost."""
    if vendor() != "postgresql":
        return []
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND i.indexname NOT IN "
        "(SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid)", [list(TABLES)])
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    cur.execute("SET session_replication_role = replica")
    return [definition for _name, definition in indexes]


def _restore_indexes(cur, definitions: list[str]) -> None:
    if vendor() != "postgresql":
        return
    cur.execute("SET session_replication_role = DEFAULT")
    cur.execute("SET maintenance_work_mem = '512MB'")
    for definition in definitions:
        cur.execute(definition)


def _ensure_search_indexes() -> None:
    """The trigram indexes of migration 0007, in case an interrupted older build left them out."""
    if vendor() != "postgresql":
        return
    migration = importlib.import_module("customers.migrations.0007_search_indexes")
    with connection.cursor() as cur:
        for sql in migration.pg_trigram_sql():
            cur.execute(sql)


def _wipe() -> None:
    with connection.cursor() as cur:
        if vendor() == "postgresql":
            cur.execute("TRUNCATE customers_followup, customers_contact, customers_customer CASCADE")
        else:
            for table in ("customers_followup", "customers_contact", "customers_customer"):
                cur.execute(f"DELETE FROM {table}")


def verify_keys(sample: int = 300) -> None:
    """Recompute the keys of a sample of customers with customers.search; any difference stops the run."""
    ids = list(Customer.all_objects.order_by("?").values_list("pk", flat=True)[:sample])
    for customer in Customer.all_objects.filter(pk__in=ids).prefetch_related("contacts"):
        stored = (customer.search_text, customer.phone_norm, customer.name_key, customer.contact_search)
        fill_own_keys(customer)
        customer.contact_search = contact_keys(customer.contacts.all())  # newest first, as the services do
        fresh = (customer.search_text, customer.phone_norm, customer.name_key, customer.contact_search)
        if stored != fresh:
            raise RuntimeError(f"bench data: keys of customer {customer.pk} differ: {stored} != {fresh}")

"""The search keys' indexes (migration 0007): SQLite FTS5 trigram table kept in step by triggers,
PostgreSQL pg_trgm GIN indexes used by the search's LIKE — same answers as a plain scan."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from customers import services_contact
from customers.models import Customer
from customers.search import search_condition
from customers.ui import CustomerUI
from org.models import FieldRule

from .customer_world import MODULE, create, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def found(user, term) -> set[str]:
    return set(CustomerUI.search(CustomerUI.queryset(user), term, user=user).values_list("name", flat=True))


def scanned(user, term) -> set[str]:
    """The same search done as LIKE on every row, the reference the index must agree with."""
    from customers.search import norm
    text = norm(term)
    return set(CustomerUI.queryset(user).filter(Q(search_text__contains=text) | Q(contact_search__contains=text))
               .values_list("name", flat=True))


def sql_of(user, term) -> str:
    with CaptureQueriesContext(connection) as ctx:
        found(user, term)
    return ctx.captured_queries[-1]["sql"]


def test_long_terms_use_the_index_and_agree_with_a_scan(world):
    create(world.alice, "北京华盛电子有限公司", phone="13912345678")
    create(world.alice, "上海宏达精密机械有限公司")
    create(world.bob, "北京华盛物流有限公司")
    for term in ("华盛电", "bjhs", "beijinghua", "精密机械", "宏达精密机械有限公司"):
        assert found(world.alice, term) == scanned(world.alice, term), term
    assert found(world.alice, "华盛电") == {"北京华盛电子有限公司"}
    assert found(world.manager, "bjhs") == {"北京华盛电子有限公司", "北京华盛物流有限公司"}
    assert found(world.alice, "1234567") == {"北京华盛电子有限公司"}
    if connection.vendor == "sqlite":
        assert "customers_customer_fts" in sql_of(world.alice, "华盛电")
        assert "customers_customer_fts" not in sql_of(world.alice, "华盛")  # too short for trigrams


def test_the_index_follows_renames_contacts_and_deletes(world):
    customer = create(world.alice, "北京华盛电子有限公司")
    services_contact.contact_create(actor=world.alice, data={"customer": customer, "name": "欧阳娜娜", "mobile": "13700001111"})
    assert found(world.alice, "欧阳娜") == {"北京华盛电子有限公司"}
    assert found(world.alice, "oynn") == {"北京华盛电子有限公司"}
    customer.refresh_from_db()
    customer.name = "深圳鑫泰新材料有限公司"
    customer.save()
    assert found(world.alice, "华盛电") == set()
    assert found(world.alice, "szxt") == {"深圳鑫泰新材料有限公司"}
    Customer.all_objects.filter(pk=customer.pk).delete()
    assert found(world.alice, "szxt") == set()


def test_outside_the_scope_the_index_finds_nothing(world):
    create(world.alice, "北京华盛电子有限公司", phone="13912345678")
    assert found(world.bob, "华盛电") == set()
    assert found(world.nobody, "华盛电") == set()
    assert found(world.bob, "12345678") == set()


def test_hidden_phone_keeps_contacts_out_of_the_indexed_search(world):
    customer = create(world.alice, "北京华盛电子有限公司")
    services_contact.contact_create(actor=world.alice, data={"customer": customer, "name": "欧阳娜娜", "mobile": "13700001111"})
    for role in world.alice.roles.all():
        FieldRule.objects.create(role=role, module=MODULE, field="phone", mode="hidden")
    alice = type(world.alice).objects.get(pk=world.alice.pk)
    assert found(alice, "欧阳娜") == set()
    assert found(alice, "0000111") == set()
    assert found(alice, "华盛电") == {"北京华盛电子有限公司"}


def test_quotes_in_terms_are_matched_literally(world):
    create(world.alice, '北京"华盛"电子有限公司')
    assert found(world.alice, '"华盛"') == {'北京"华盛"电子有限公司'}
    assert found(world.alice, 'a" OR "b') == set()
    assert search_condition("   ") == Q()


@pytest.mark.postgres
def test_postgresql_answers_long_terms_from_the_trigram_index(world):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    create(world.alice, "北京华盛电子有限公司")
    qs = Customer.all_objects.filter(search_condition("华盛电")).order_by()
    with connection.cursor() as cursor:
        # A tiny table would be scanned whole anyway: rule that out to see whether the index fits the query.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_indexscan = off")
        sql, params = qs.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        cursor.execute("RESET enable_indexscan")
    assert "customer_search_text_trgm" in plan
    assert "customer_contact_search_trgm" in plan


def test_sqlite_fts_triggers_survive_later_migrations():
    """Django rebuilds a SQLite table to alter it, dropping its triggers: a later migration that alters
    customers_customer must re-create them (the SQL is in migration 0007), or the index goes stale."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'customers_customer'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert {"customers_customer_fts_ai", "customers_customer_fts_ad", "customers_customer_fts_au"} <= triggers
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'customers_customer'")
        indexes = {row[0] for row in cursor.fetchall()}
    assert "customer_owner_level_fu_idx" in indexes


@pytest.mark.postgres
def test_postgresql_customer_table_keeps_only_the_indexes_it_needs():
    """Each index is work on every insert and on planning every statement at a million rows: no
    pattern-ops twins, no single-column index a composite one leads with (customers.models.customer)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'customers_customer'")
        indexes = dict(cursor.fetchall())
    assert not [name for name in indexes if name.endswith("_like")]
    singles = {d.split("(")[-1].rstrip(")") for d in indexes.values() if "btree (" in d and "," not in d.split("(")[-1]}
    assert not {"owner_id", "department_id", "pool_id", "type_id", "previous_owner_id"} & singles
    assert {"customer_owner_idx", "customer_dept_idx", "customer_owner_level_fu_idx", "customer_search_text_trgm",
            "customer_phone_norm_idx", "customer_name_key_idx", "customer_credit_code_idx"} <= set(indexes)
    assert len(indexes) <= 26
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'customers_customerassignment'")
        history = {row[0] for row in cursor.fetchall()}
    # Each import row and owner change writes an assignment row: the pk, the four composites and "at".
    assert len(history) == 6 and {"assignment_customer_idx", "assignment_to_idx"} <= history


@pytest.mark.postgres
def test_postgresql_knows_owner_creator_and_department_together():
    """The gate asks "owner or creator, or one of these departments": the planner estimates it from joint
    statistics of the three columns (customers/0012), so a salesperson's total past 2,000 rows is
    not read as twice the real number."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.stxkind, array_agg(a.attname ORDER BY a.attname) FROM pg_statistic_ext s "
            "JOIN pg_attribute a ON a.attrelid = s.stxrelid AND a.attnum = ANY(s.stxkeys) "
            "WHERE s.stxname = 'customer_scope_stats' AND s.stxrelid = 'customers_customer'::regclass GROUP BY s.stxkind")
        rows = cursor.fetchall()
    assert rows == [(["m"], ["created_by_id", "department_id", "owner_id"])]

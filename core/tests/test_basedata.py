"""Basic data (基础资料): default lists, the services that change them, and the settings page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import basedata
from core.models import AuditLog, LookupItem
from core.testing import make_user
from customers.models import Customer

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "lookup-panel"}


@pytest.fixture
def defaults():
    basedata.ensure_default_lookups()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def names(kind):
    return list(LookupItem.objects.filter(kind=kind).order_by("sort", "id").values_list("name", flat=True))


# ---- defaults ----------------------------------------------------------------------------------

def test_every_list_has_defaults_and_stages_have_win_rates():
    for kind in ("customer_type", "customer_level", "industry", "customer_source", "relationship", "company_size",
                 "satisfaction", "service_type", "contact_method", "importance", "sales_stage", "payment_method",
                 "unit", "expense_type", "lost_reason"):
        assert kind in basedata.LOOKUP_KINDS
        assert len(basedata.DEFAULT_LOOKUPS[kind]) >= 4, kind
    assert [e[0] for e in basedata.DEFAULT_LOOKUPS["customer_level"]] == ["A", "B", "C", "D"]
    for code, _name, extra in basedata.DEFAULT_LOOKUPS["sales_stage"]:
        assert 0 <= extra["win_rate"] <= 100, code


def test_ensure_default_lookups_is_idempotent_and_keeps_admin_changes():
    total = sum(len(v) for v in basedata.DEFAULT_LOOKUPS.values())
    assert basedata.ensure_default_lookups() == total
    assert LookupItem.objects.count() == total
    won = basedata.get_item("sales_stage", "won")
    assert basedata.win_rate(won) == 100
    LookupItem.objects.filter(kind="industry", code="finance").update(name="银行证券")
    LookupItem.objects.filter(kind="unit", code="kg").delete()
    assert basedata.ensure_default_lookups() == 1
    assert LookupItem.objects.count() == total
    assert basedata.get_item("industry", "finance").name == "银行证券"
    assert basedata.ensure_default_lookups() == 0


def test_ensure_default_lookups_for_some_kinds():
    added = basedata.ensure_default_lookups(["customer_level"])
    assert added == 4
    assert set(LookupItem.objects.values_list("kind", flat=True)) == {"customer_level"}


# ---- services ----------------------------------------------------------------------------------

def test_create_appends_with_pinyin_code_and_audit(admin_user, defaults):
    item = basedata.lookup_create(actor=admin_user, kind="industry", name="人工智能")
    assert item.code == "rgzn"
    assert names("industry")[-1] == "人工智能"
    entry = AuditLog.objects.get(action="create", object_id=item.pk)
    assert entry.actor == admin_user and entry.changes["name"] == [None, "人工智能"]
    again = basedata.lookup_create(actor=admin_user, kind="customer_source", name="其他渠道")
    assert again.code == "qtqd"


def test_auto_code_is_unique_within_the_list(admin_user):
    first = basedata.lookup_create(actor=admin_user, kind="unit", name="盒")
    second = basedata.lookup_create(actor=admin_user, kind="expense_type", name="盒")  # other list: same code is fine
    third = basedata.lookup_create(actor=admin_user, kind="unit", name="和")
    assert (first.code, second.code, third.code) == ("h", "h", "h2")


@pytest.mark.parametrize("kwargs, field", [
    ({"name": ""}, "name"),
    ({"name": "x" * 81}, "name"),
    ({"name": "新项", "code": "bad code!"}, "code"),
    ({"name": "新项", "code": "A"}, "code"),        # taken in customer_level
    ({"name": "A级 重点客户"}, "name"),               # same name twice in one list
])
def test_create_refuses_bad_input_and_changes_nothing(admin_user, defaults, kwargs, field):
    before = LookupItem.objects.count()
    with pytest.raises(ValidationError) as exc:
        basedata.lookup_create(actor=admin_user, kind="customer_level", **kwargs)
    assert field in exc.value.message_dict
    assert LookupItem.objects.count() == before
    assert not AuditLog.objects.exists()


def test_unknown_list_is_refused(admin_user):
    with pytest.raises(ValidationError):
        basedata.lookup_create(actor=admin_user, kind="no_such_list", name="x")
    assert not LookupItem.objects.exists()


@pytest.mark.parametrize("rate", ["", "abc", "-1", "101", "12.5"])
def test_sales_stage_needs_a_win_rate_between_0_and_100(admin_user, rate):
    with pytest.raises(ValidationError) as exc:
        basedata.lookup_create(actor=admin_user, kind="sales_stage", name="商务谈判", extra={"win_rate": rate})
    assert "win_rate" in exc.value.message_dict
    assert not LookupItem.objects.exists()


def test_update_changes_name_code_and_win_rate(admin_user, defaults):
    stage = basedata.get_item("sales_stage", "proposal")
    basedata.lookup_update(actor=admin_user, item=stage, name="方案与报价", code="quote", extra={"win_rate": "60"})
    stage.refresh_from_db()
    assert (stage.name, stage.code, basedata.win_rate(stage)) == ("方案与报价", "quote", 60)
    entry = AuditLog.objects.get(action="update", object_id=stage.pk)
    assert entry.changes["extra"] == [{"win_rate": 50}, {"win_rate": 60}]
    with pytest.raises(ValidationError):
        basedata.lookup_update(actor=admin_user, item=stage, name="方案与报价", code="won")
    stage.refresh_from_db()
    assert stage.code == "quote"


def test_reorder_and_move(admin_user, defaults):
    levels = list(LookupItem.objects.filter(kind="customer_level").order_by("sort"))
    basedata.lookup_reorder(actor=admin_user, kind="customer_level", ids=[levels[3].pk, levels[2].pk])
    assert names("customer_level") == ["D级 一般客户", "C级 普通客户", "A级 重点客户", "B级 主要客户"]
    basedata.lookup_move(actor=admin_user, item=levels[1], offset=-1)
    assert names("customer_level") == ["D级 一般客户", "C级 普通客户", "B级 主要客户", "A级 重点客户"]
    basedata.lookup_move(actor=admin_user, item=levels[3], offset=-1)  # already first: nothing moves
    assert names("customer_level")[0] == "D级 一般客户"
    other = basedata.get_item("industry", "finance")
    with pytest.raises(ValidationError):
        basedata.lookup_reorder(actor=admin_user, kind="customer_level", ids=[other.pk])


def test_unused_entry_is_deleted_used_entry_is_deactivated(admin_user, defaults):
    unused = basedata.get_item("customer_level", "D")
    used = basedata.get_item("customer_level", "A")
    Customer.objects.create(name="华为", level=used, owner=admin_user)
    assert basedata.lookup_remove(actor=admin_user, item=unused) == "deleted"
    assert basedata.lookup_remove(actor=admin_user, item=used) == "deactivated"
    assert not LookupItem.objects.filter(pk=unused.pk).exists()
    used.refresh_from_db()
    assert used.active is False
    assert list(basedata.items("customer_level").values_list("code", flat=True)) == ["B", "C"]
    assert AuditLog.objects.filter(action="delete", object_id=unused.pk).exists()


def test_soft_deleted_records_still_count_as_use(admin_user, defaults):
    level = basedata.get_item("customer_level", "B")
    customer = Customer.objects.create(name="已删除客户", level=level, owner=admin_user)
    Customer.all_objects.filter(pk=customer.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert basedata.lookup_remove(actor=admin_user, item=level) == "deactivated"


def test_ordinary_users_cannot_change_basic_data(defaults):
    user = make_user()
    item = basedata.get_item("industry", "finance")
    calls = [
        lambda: basedata.lookup_create(actor=user, kind="industry", name="新行业"),
        lambda: basedata.lookup_update(actor=user, item=item, name="改名"),
        lambda: basedata.lookup_reorder(actor=user, kind="industry", ids=[item.pk]),
        lambda: basedata.lookup_set_active(actor=user, item=item, active=False),
        lambda: basedata.lookup_remove(actor=user, item=item),
        lambda: basedata.lookup_load_defaults(actor=user, kind="industry"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    item.refresh_from_db()
    assert (item.name, item.active) == ("金融保险", True)
    assert LookupItem.objects.filter(kind="industry").count() == len(basedata.DEFAULT_LOOKUPS["industry"])


# ---- page --------------------------------------------------------------------------------------

def test_page_lists_kinds_and_items(admin_client, defaults):
    page = admin_client.get(reverse("core:lookup_list"), {"kind": "sales_stage"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "谈判审核" in html
    assert str(basedata.LOOKUP_KINDS["industry"]) in html
    assert "75" in html  # the win rate column
    assert admin_client.get(reverse("core:lookup_list"), {"kind": "nope"}).status_code == 404


def test_htmx_requests_get_only_the_fragment(admin_client, defaults):
    panel = admin_client.get(reverse("core:lookup_list"), {"kind": "industry"}, **HTMX)
    assert panel.status_code == 200
    html = panel.content.decode()
    assert 'id="lookup-panel"' in html and "<html" not in html and 'id="basedata-body"' not in html
    body = admin_client.get(reverse("core:lookup_list"), {"kind": "industry"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="basedata-body")
    assert 'id="basedata-body"' in body.content.decode()


def test_add_edit_move_deactivate_delete_through_the_page(admin_client, defaults):
    url = reverse("core:lookup_create", args=["sales_stage"])
    response = admin_client.post(url, {"name": "合同签订", "code": "signing", "win_rate": "90"})
    assert response.status_code == 302
    item = basedata.get_item("sales_stage", "signing")
    assert basedata.win_rate(item) == 90

    response = admin_client.post(reverse("core:lookup_update", args=[item.pk]),
                                 {"edit-name": "签约", "edit-code": "signing", "edit-win_rate": "95"}, **HTMX)
    assert response.status_code == 200 and "签约" in response.content.decode()
    item.refresh_from_db()
    assert (item.name, basedata.win_rate(item)) == ("签约", 95)

    admin_client.post(reverse("core:lookup_move", args=[item.pk]), {"direction": "up"}, **HTMX)
    assert names("sales_stage")[-2] == "签约"

    admin_client.post(reverse("core:lookup_active", args=[item.pk]), {"active": "0"})
    item.refresh_from_db()
    assert item.active is False
    admin_client.post(reverse("core:lookup_active", args=[item.pk]), {"active": "1"})
    item.refresh_from_db()
    assert item.active is True

    response = admin_client.post(reverse("core:lookup_delete", args=[item.pk]), **HTMX)
    assert response.status_code == 200
    assert not LookupItem.objects.filter(pk=item.pk).exists()


def test_adding_through_htmx_refreshes_the_counts(admin_client, defaults):
    response = admin_client.post(reverse("core:lookup_create", args=["customer_level"]), {"name": "E级 休眠客户", "code": "E"},
                                 HTTP_HX_REQUEST="true", HTTP_HX_TARGET="basedata-body")
    html = response.content.decode()
    assert response.status_code == 200 and 'id="basedata-body"' in html and "E级 休眠客户" in html
    assert '<span class="badge bg-secondary-lt ms-auto">5</span>' in html


def test_edit_form_is_shown_inline(admin_client, defaults):
    item = basedata.get_item("sales_stage", "won")
    html = admin_client.get(reverse("core:lookup_list"), {"kind": "sales_stage", "edit": item.pk}, **HTMX).content.decode()
    assert reverse("core:lookup_update", args=[item.pk]) in html
    assert 'name="edit-win_rate"' in html and 'value="100"' in html


def test_bad_input_on_the_page_shows_errors_and_changes_nothing(admin_client, defaults):
    before = LookupItem.objects.count()
    url = reverse("core:lookup_create", args=["sales_stage"])
    response = admin_client.post(url, {"name": "", "win_rate": "150"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode()
    response = admin_client.post(url, {"name": "新阶段", "win_rate": "x"}, **HTMX)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    item = basedata.get_item("sales_stage", "won")
    response = admin_client.post(reverse("core:lookup_update", args=[item.pk]), {"edit-name": "", "edit-win_rate": "100"})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.name == "赢单"
    assert LookupItem.objects.count() == before


def test_load_missing_defaults_from_the_page(admin_client, defaults):
    LookupItem.objects.filter(kind="unit").delete()
    admin_client.post(reverse("core:lookup_defaults", args=["unit"]))
    assert LookupItem.objects.filter(kind="unit").count() == len(basedata.DEFAULT_LOOKUPS["unit"])


def test_staff_may_manage_basic_data(client, defaults):
    client.force_login(make_user(is_staff=True))
    assert client.get(reverse("core:lookup_list")).status_code == 200
    client.post(reverse("core:lookup_create", args=["unit"]), {"name": "卷"})
    assert LookupItem.objects.filter(kind="unit", name="卷").exists()


def test_others_get_403_on_every_basic_data_url_and_change_nothing(client, defaults):
    client.force_login(make_user())
    item = basedata.get_item("industry", "finance")
    snapshot = list(LookupItem.objects.order_by("pk").values_list("pk", "name", "code", "sort", "active"))
    assert client.get(reverse("core:lookup_list")).status_code == 403
    posts = [
        (reverse("core:lookup_create", args=["industry"]), {"name": "新行业"}),
        (reverse("core:lookup_defaults", args=["industry"]), {}),
        (reverse("core:lookup_update", args=[item.pk]), {"edit-name": "改名"}),
        (reverse("core:lookup_move", args=[item.pk]), {"direction": "up"}),
        (reverse("core:lookup_active", args=[item.pk]), {"active": "0"}),
        (reverse("core:lookup_delete", args=[item.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, **HTMX).status_code == 403, url
    assert list(LookupItem.objects.order_by("pk").values_list("pk", "name", "code", "sort", "active")) == snapshot
    assert not AuditLog.objects.exists()


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("core:lookup_list"))
    assert response.status_code == 302 and reverse("org:login") in response["Location"]


def test_menu_shows_settings_to_admins_only(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("core:home")).content.decode()
    for name in ("core:lookup_list", "core:numbering_list", "core:customfield_list"):
        assert reverse(name) in html
    client.force_login(make_user())
    html = client.get(reverse("core:home")).content.decode()
    for name in ("core:lookup_list", "core:numbering_list", "core:customfield_list"):
        assert reverse(name) not in html


def test_settings_pages_use_a_fixed_number_of_queries(admin_client, admin_user, django_assert_max_num_queries):
    from core import customfields, numbering

    basedata.ensure_default_lookups()
    numbering.ensure_default_rules()
    for n in range(6):
        customfields.field_create(actor=admin_user, module="customers.customer", data={"label": f"字段{n}", "code": f"f{n}", "type": "text"})
        numbering.next_code("order")
    for url in (f"{reverse('core:lookup_list')}?kind=industry", reverse("core:numbering_list"), reverse("core:customfield_list")):
        admin_client.get(url)  # warm the per-session caches
        with django_assert_max_num_queries(12):
            assert admin_client.get(url).status_code == 200

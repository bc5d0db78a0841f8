"""Custom fields: definitions and their validation, the admin page, and values on the record pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import customfields
from core.models import AuditLog, CustomField
from core.testing import make_user
from customers.models import Customer

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "cf-panel"}


def define(actor, **data):
    data = {"label": "客户规模", "code": "scale", "type": "text", **data}
    return customfields.field_create(actor=actor, module=MODULE, data=data)


def new_customer(client, **extra):
    return client.post(reverse("customers:customer_create"), {"name": "杭州青禾贸易有限公司", "status": "potential", "amount": "0", **extra})


# ---- definitions -------------------------------------------------------------------------------

def test_choices_text_round_trip():
    choices = customfields.parse_choices("vip=重要客户\n\n  normal = 普通客户 \n黑名单\n")
    assert choices == [{"value": "vip", "label": "重要客户"}, {"value": "normal", "label": "普通客户"},
                       {"value": "黑名单", "label": "黑名单"}]
    assert customfields.choices_text(CustomField(choices=choices)) == "vip=重要客户\nnormal=普通客户\n黑名单"
    for bad in ("vip=\n", "=label", "a=1\na=2"):
        with pytest.raises(ValidationError):
            customfields.parse_choices(bad)


def test_create_with_audit_and_order(admin_user):
    first = define(admin_user)
    second = define(admin_user, label="合作等级", code="grade", type="choice", choices="s=战略\nk=重点")
    assert second.sort > first.sort
    assert second.choices == [{"value": "s", "label": "战略"}, {"value": "k", "label": "重点"}]
    entry = AuditLog.objects.get(action="create", object_id=second.pk)
    assert entry.actor == admin_user and entry.changes["code"] == [None, "grade"]


def test_values_that_do_not_apply_to_the_type_are_dropped(admin_user):
    field = define(admin_user, type="bool", choices="a=b", regex="x+", min_value="1", max_value="9")
    assert (field.choices, field.regex, field.min_value, field.max_value) == ([], "", None, None)
    number = define(admin_user, code="staff", type="number", min_value="1", max_value="10000")
    assert (number.min_value, number.max_value) == (Decimal("1"), Decimal("10000"))


@pytest.mark.parametrize("data, field", [
    ({"label": ""}, "label"),
    ({"code": "Bad Code"}, "code"),
    ({"code": "1abc"}, "code"),
    ({"code": ""}, "code"),
    ({"code": "contains"}, "code"),
    ({"code": "taken"}, "code"),
    ({"type": "colour"}, "type"),
    ({"type": "choice"}, "choices"),
    ({"type": "multi", "choices": "a=\n"}, "choices"),
    ({"regex": "([a-z"}, "regex"),
    ({"type": "number", "min_value": "abc"}, "min_value"),
    ({"type": "money", "min_value": "10", "max_value": "5"}, "max_value"),
    ({"type": "number", "max_value": "NaN"}, "max_value"),
])
def test_bad_definitions_are_refused_and_change_nothing(admin_user, data, field):
    define(admin_user, code="taken")
    with pytest.raises(ValidationError) as exc:
        define(admin_user, **data)
    assert field in exc.value.message_dict
    assert CustomField.objects.count() == 1
    assert AuditLog.objects.count() == 1


def test_unknown_module_is_refused(admin_user):
    with pytest.raises(ValidationError):
        customfields.field_create(actor=admin_user, module="nope.nothing", data={"label": "x", "code": "x", "type": "text"})
    assert not CustomField.objects.exists()


def test_update_keeps_the_code_and_type_change_only_while_unused(admin_user):
    field = define(admin_user)
    changed = customfields.field_update(actor=admin_user, field=field,
                                        data={"label": "人数", "code": "other", "type": "number", "required": True})
    assert (changed.code, changed.type, changed.required, changed.label) == ("scale", "number", True, "人数")
    Customer.objects.create(name="有值客户", owner=admin_user, custom={"scale": "120"})
    with pytest.raises(ValidationError) as exc:
        customfields.field_update(actor=admin_user, field=changed, data={"label": "人数", "type": "text"})
    assert "type" in exc.value.message_dict
    changed.refresh_from_db()
    assert changed.type == "number"
    # The label may still change.
    customfields.field_update(actor=admin_user, field=changed, data={"label": "员工人数", "type": "number"})
    changed.refresh_from_db()
    assert changed.label == "员工人数"


def test_field_in_use_ignores_empty_values(admin_user):
    field = define(admin_user, type="multi", choices="a\nb")
    Customer.objects.create(name="空值", owner=admin_user, custom={"scale": None})
    Customer.objects.create(name="空列表", owner=admin_user, custom={"scale": []})
    Customer.objects.create(name="无键", owner=admin_user, custom={})
    assert not customfields.field_in_use(field)
    Customer.objects.create(name="有值", owner=admin_user, custom={"scale": ["a"]})
    assert customfields.field_in_use(field)


def test_deactivate_hides_and_reorder(admin_user):
    a = define(admin_user, code="a", label="甲")
    b = define(admin_user, code="b", label="乙")
    c = define(admin_user, code="c", label="丙")
    customfields.field_reorder(actor=admin_user, module=MODULE, ids=[c.pk, a.pk])
    assert [f.code for f in customfields.definitions(MODULE)] == ["c", "a", "b"]
    customfields.field_move(actor=admin_user, field=b, offset=-1)
    assert [f.code for f in customfields.definitions(MODULE)] == ["c", "b", "a"]
    customfields.field_set_active(actor=admin_user, field=b, active=False)
    assert [f.code for f in customfields.definitions(MODULE)] == ["c", "a"]
    assert AuditLog.objects.filter(action="update", object_id=b.pk, changes__active=[True, False]).exists()
    with pytest.raises(ValidationError):
        customfields.field_reorder(actor=admin_user, module=MODULE, ids=[a.pk, a.pk])


def test_ordinary_users_and_staff_cannot_define_fields(admin_user):
    field = define(admin_user)
    for user in (make_user(), make_user(is_staff=True)):
        calls = [
            lambda u=user: define(u, code="other"),
            lambda u=user: customfields.field_update(actor=u, field=field, data={"label": "改", "type": "text"}),
            lambda u=user: customfields.field_set_active(actor=u, field=field, active=False),
            lambda u=user: customfields.field_reorder(actor=u, module=MODULE, ids=[field.pk]),
        ]
        for call in calls:
            with pytest.raises(PermissionDenied):
                call()
    field.refresh_from_db()
    assert (field.label, field.active, CustomField.objects.count()) == ("客户规模", True, 1)


# ---- values on the customer pages --------------------------------------------------------------

def test_custom_value_round_trips_through_create_and_detail(client, admin_user):
    define(admin_user, label="客户规模", code="scale")
    define(admin_user, label="合作等级", code="grade", type="choice", choices="s=战略客户\nk=重点客户")
    define(admin_user, label="年采购额", code="budget", type="money")
    define(admin_user, label="签约日期", code="signed", type="date")
    define(admin_user, label="主营品类", code="lines", type="multi", choices="tea=茶叶\nrice=大米\noil=食用油")
    define(admin_user, label="是否上市", code="listed", type="bool")
    client.force_login(admin_user)
    form = client.get(reverse("customers:customer_create")).content.decode()
    assert 'name="custom.scale"' in form and "战略客户" in form
    response = new_customer(client, **{"custom.scale": "200人", "custom.grade": "s", "custom.budget": "12500.5",
                                       "custom.signed": "2026-03-08", "custom.lines": ["tea", "oil"], "custom.listed": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    customer = Customer.objects.get()
    assert customer.custom == {"scale": "200人", "grade": "s", "budget": "12500.50", "signed": "2026-03-08",
                               "lines": ["tea", "oil"], "listed": True}
    detail = client.get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    for shown in ("客户规模", "200人", "战略客户", "12500.50", "2026-03-08", "茶叶、食用油"):
        assert shown in detail


def test_required_custom_field_left_empty_creates_nothing(client, admin_user):
    define(admin_user, label="纳税人识别号", code="tax_no", required=True)
    client.force_login(admin_user)
    response = new_customer(client, **{"custom.tax_no": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "invalid-feedback" in html and "纳税人识别号" in html
    assert not Customer.objects.exists()


def test_malformed_number_and_rule_violations_are_refused(client, admin_user):
    define(admin_user, label="员工人数", code="staff", type="number", min_value="1", max_value="100000")
    define(admin_user, label="邮编", code="zip", regex=r"\d{6}")
    client.force_login(admin_user)
    for data in ({"custom.staff": "十二"}, {"custom.staff": "0"}, {"custom.staff": "12", "custom.zip": "31000"}):
        response = new_customer(client, **data)
        assert response.status_code == 400, data
        assert "invalid-feedback" in response.content.decode()
    assert not Customer.objects.exists()
    assert new_customer(client, **{"custom.staff": "12", "custom.zip": "310000"}).status_code == 302
    assert Customer.objects.get().custom == {"staff": "12", "zip": "310000"}


def test_inactive_field_leaves_the_form(client, admin_user):
    field = define(admin_user, label="旧字段", code="legacy", required=True)
    customfields.field_set_active(actor=admin_user, field=field, active=False)
    client.force_login(admin_user)
    assert 'name="custom.legacy"' not in client.get(reverse("customers:customer_create")).content.decode()
    assert new_customer(client).status_code == 302


# ---- admin page --------------------------------------------------------------------------------

def test_admin_page_add_edit_move_deactivate(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("core:customfield_list"), {"module": MODULE})
    assert page.status_code == 200 and "cf-panel" in page.content.decode()
    url = reverse("core:customfield_create", args=[MODULE])
    response = client.post(url, {"label": "合作等级", "code": "grade", "type": "choice", "choices": "s=战略\nk=重点", "required": "on"})
    assert response.status_code == 302
    grade = CustomField.objects.get(code="grade")
    assert grade.required and grade.choices[0] == {"value": "s", "label": "战略"}
    client.post(url, {"label": "备注二", "code": "note2", "type": "text"}, **HTMX)
    note = CustomField.objects.get(code="note2")

    edit = client.get(reverse("core:customfield_list"), {"module": MODULE, "edit": grade.pk}, **HTMX).content.decode()
    assert "s=战略" in edit and reverse("core:customfield_update", args=[grade.pk]) in edit
    response = client.post(reverse("core:customfield_update", args=[grade.pk]),
                           {"label": "客户等级", "type": "choice", "choices": "s=战略\nk=重点\np=普通"}, **HTMX)
    assert response.status_code == 200 and "客户等级" in response.content.decode()
    grade.refresh_from_db()
    assert (grade.label, len(grade.choices), grade.required) == ("客户等级", 3, False)

    client.post(reverse("core:customfield_move", args=[note.pk]), {"direction": "up"}, **HTMX)
    assert [f.code for f in customfields.definitions(MODULE)] == ["note2", "grade"]
    client.post(reverse("core:customfield_active", args=[note.pk]), {"active": "0"})
    assert [f.code for f in customfields.definitions(MODULE)] == ["grade"]


def test_admin_page_shows_errors_and_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    url = reverse("core:customfield_create", args=[MODULE])
    response = client.post(url, {"label": "等级", "code": "grade", "type": "choice", "choices": ""})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    response = client.post(url, {"label": "格式", "code": "fmt", "type": "text", "regex": "(["}, **HTMX)
    assert response.status_code == 200 and "regular expression" in response.content.decode()
    assert not CustomField.objects.exists()
    assert client.get(reverse("core:customfield_list"), {"module": "nope"}).status_code == 404
    assert client.post(reverse("core:customfield_create", args=["nope"]), {"label": "x", "code": "x", "type": "text"}).status_code == 404


def test_others_get_403_on_every_custom_field_url_and_change_nothing(client, admin_user):
    field = define(admin_user)
    before = AuditLog.objects.count()
    for user in (make_user(), make_user(is_staff=True)):
        client.force_login(user)
        assert client.get(reverse("core:customfield_list")).status_code == 403
        posts = [
            (reverse("core:customfield_create", args=[MODULE]), {"label": "x", "code": "x", "type": "text"}),
            (reverse("core:customfield_update", args=[field.pk]), {"label": "改", "type": "number"}),
            (reverse("core:customfield_move", args=[field.pk]), {"direction": "down"}),
            (reverse("core:customfield_active", args=[field.pk]), {"active": "0"}),
        ]
        for url, data in posts:
            assert client.post(url, data).status_code == 403, url
            assert client.post(url, data, **HTMX).status_code == 403, url
    field.refresh_from_db()
    assert (field.label, field.type, field.active, CustomField.objects.count()) == ("客户规模", "text", True, 1)
    assert AuditLog.objects.count() == before

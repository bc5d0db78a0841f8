"""Generic record pages: scope, stale saves, field permissions, delete → recycle bin → restore, versions."""

import pytest
from django.urls import reverse

from core import audit, services
from core.models import AuditLog
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import FieldRule, Scope

pytestmark = pytest.mark.django_db
MODULE = "customers.customer"


@pytest.fixture
def people():
    east, west = make_department("华东"), make_department("华西")
    seller = make_user("seller", department=east, roles=[make_role(grants=full_grants(MODULE, Scope.OWN))])
    other = make_user("other", department=west, roles=[make_role(grants=full_grants(MODULE, Scope.OWN))])
    return seller, other


def new_customer(actor, name="上海明远精密机械有限公司", **data):
    return services.create_record(actor=actor, model=Customer, data={"name": name, **data})


def form_data(customer, **over):
    data = {"name": customer.name, "status": customer.status, "amount": str(customer.amount), "version": customer.version}
    data.update(over)
    return data


def test_out_of_scope_pages_are_not_found_and_change_nothing(client, people):
    seller, other = people
    row = new_customer(other)
    client.force_login(seller)
    for page in ("detail", "update", "delete", "history"):
        assert client.get(reverse(f"customers:customer_{page}", args=[row.pk])).status_code == 404
    assert client.post(reverse("customers:customer_update", args=[row.pk]), form_data(row, name="改名")).status_code == 404
    assert client.post(reverse("customers:customer_delete", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.name == "上海明远精密机械有限公司" and row.deleted_at is None and row.version == 1


def test_create_edit_and_stale_save_is_refused(client, people):
    seller, _other = people
    client.force_login(seller)
    resp = client.post(reverse("customers:customer_create"), {"name": "杭州云栖科技有限公司", "status": "potential", "amount": "0"})
    assert resp.status_code == 302
    row = Customer.objects.get(name="杭州云栖科技有限公司")
    assert row.owner == seller and row.department == seller.department and row.created_by == seller
    opened_version = row.version
    # Someone else saves first…
    client.post(reverse("customers:customer_update", args=[row.pk]), form_data(row, phone="0571-88886666"))
    row.refresh_from_db()
    assert row.version == opened_version + 1
    # …so a save based on the version opened earlier is refused with a clear message.
    resp = client.post(reverse("customers:customer_update", args=[row.pk]), form_data(row, name="覆盖", version=opened_version))
    assert resp.status_code == 409
    assert "Reload" in resp.content.decode() or "重新" in resp.content.decode()
    row.refresh_from_db()
    assert row.name == "杭州云栖科技有限公司" and row.phone == "0571-88886666"


def test_invalid_input_changes_nothing(client, people):
    seller, _other = people
    client.force_login(seller)
    resp = client.post(reverse("customers:customer_create"), {"name": "", "status": "potential", "amount": "abc"})
    assert resp.status_code == 400
    assert not Customer.all_objects.exists()


def test_hidden_and_readonly_fields(client, people):
    seller, _other = people
    role = seller.roles.get()
    FieldRule.objects.create(role=role, module=MODULE, field="credit_code", mode="hidden")
    FieldRule.objects.create(role=role, module=MODULE, field="amount", mode="readonly")
    row = Customer.objects.create(name="深圳海纳电子有限公司", owner=seller, department=seller.department,
                                  credit_code="91440300MA5EXAMPLE", amount=1000)
    client.force_login(seller)
    page = client.get(reverse("customers:customer_detail", args=[row.pk])).content.decode()
    assert "91440300MA5EXAMPLE" not in page
    form = client.get(reverse("customers:customer_update", args=[row.pk])).content.decode()
    assert 'name="credit_code"' not in form
    assert 'name="amount"' in form and "disabled" in form.split('name="amount"')[1].split(">")[0]
    client.post(reverse("customers:customer_update", args=[row.pk]),
                form_data(row, amount="999999", credit_code="HACKED", short_name="海纳"))
    row.refresh_from_db()
    assert row.amount == 1000 and row.credit_code == "91440300MA5EXAMPLE" and row.short_name == "海纳"


def test_delete_goes_to_recycle_bin_and_comes_back_with_history(client, people):
    seller, _other = people
    row = new_customer(seller)
    services.update_record(actor=seller, instance=row, data={"phone": "13800138000"})
    client.force_login(seller)
    assert client.post(reverse("customers:customer_delete", args=[row.pk])).status_code == 302
    assert not Customer.objects.filter(pk=row.pk).exists()
    assert client.get(reverse("customers:customer_detail", args=[row.pk])).status_code == 404
    bin_page = client.get(reverse("core:recycle_bin") + "?model=customers.customer").content.decode()
    assert row.name in bin_page
    client.post(reverse("core:recycle_restore", args=["customers.customer", row.pk]))
    restored = Customer.objects.get(pk=row.pk)
    assert restored.phone == "13800138000"
    actions = list(audit.history_for(restored).values_list("action", flat=True))
    assert actions == ["restore", "delete", "update", "create"]
    # Restore happens once: the record is no longer in the bin.
    assert client.post(reverse("core:recycle_restore", args=["customers.customer", row.pk])).status_code == 404


def test_restore_an_earlier_version(client, people):
    seller, _other = people
    row = new_customer(seller, phone="021-1111")
    row = services.update_record(actor=seller, instance=row, data={"phone": "021-2222", "name": "新名字"})
    client.force_login(seller)
    resp = client.post(reverse("customers:customer_history", args=[row.pk]), {"number": 1, "version": row.version})
    assert resp.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.phone, row.version) == ("上海明远精密机械有限公司", "021-1111", 3)
    assert AuditLog.objects.filter(object_id=row.pk, action="update").count() == 2


def test_purge_is_for_administrators_only(client, people, admin_user):
    seller, _other = people
    row = new_customer(seller)
    services.delete_record(actor=seller, instance=row)
    client.force_login(seller)
    client.post(reverse("core:recycle_purge", args=["customers.customer", row.pk]))
    assert Customer.all_objects.filter(pk=row.pk).exists()
    client.force_login(admin_user)
    client.post(reverse("core:recycle_purge", args=["customers.customer", row.pk]))
    assert not Customer.all_objects.filter(pk=row.pk).exists()
    assert AuditLog.objects.filter(object_id=row.pk, action="purge").exists()


def test_recycle_bin_is_scoped(client, people):
    seller, other = people
    row = new_customer(other, name="别人的客户")
    services.delete_record(actor=other, instance=row)
    client.force_login(seller)
    assert "别人的客户" not in client.get(reverse("core:recycle_bin") + "?model=customers.customer").content.decode()
    assert client.post(reverse("core:recycle_restore", args=["customers.customer", row.pk])).status_code == 404
    assert Customer.all_objects.get(pk=row.pk).deleted_at is not None


def test_audit_log_page_is_for_administrators(client, people, admin_user):
    seller, _other = people
    new_customer(seller)
    client.force_login(seller)
    assert client.get(reverse("core:audit_log")).status_code == 403
    client.force_login(admin_user)
    page = client.get(reverse("core:audit_log") + "?action=create").content.decode()
    assert "上海明远精密机械有限公司" in page


def test_audit_entries_cannot_be_edited(people):
    seller, _other = people
    row = new_customer(seller)
    entry = AuditLog.objects.get(object_id=row.pk)
    entry.message = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_global_search_is_gated(client, people):
    seller, other = people
    new_customer(seller, name="北京科技有限公司")
    new_customer(other, name="北京数据有限公司")
    client.force_login(seller)
    page = client.get(reverse("core:search") + "?q=北京").content.decode()
    assert "北京科技有限公司" in page and "北京数据有限公司" not in page


def test_home_figures_come_through_the_gate(client, people):
    seller, other = people
    new_customer(seller, name="我的客户")
    new_customer(other, name="别人的客户一")
    new_customer(other, name="别人的客户二")
    client.force_login(seller)
    resp = client.get(reverse("core:home"))
    panel = resp.context["panels"][0]
    assert (panel["total"], panel["mine"], panel["new_this_month"]) == (1, 1, 1)


def test_share_from_the_detail_page(client, people):
    seller, other = people
    row = new_customer(seller, name="共享的客户")
    client.force_login(other)
    assert client.get(reverse("customers:customer_detail", args=[row.pk])).status_code == 404
    # Someone who cannot see the record cannot share it either.
    assert client.post(reverse("customers:customer_share", args=[row.pk]), {"users": [other.pk]}).status_code == 404
    client.force_login(seller)
    client.post(reverse("customers:customer_share", args=[row.pk]), {"users": [other.pk]})
    client.force_login(other)
    page = client.get(reverse("customers:customer_detail", args=[row.pk]))
    assert page.status_code == 200 and not page.context["may_update"]
    client.force_login(seller)
    share = services.shares_of(row).get()
    client.post(reverse("customers:customer_share", args=[row.pk]), {"remove": share.pk})
    client.force_login(other)
    assert client.get(reverse("customers:customer_detail", args=[row.pk])).status_code == 404


def test_field_rules_and_custom_fields_are_per_record_type(client, people):
    from core.models import CustomField
    from customers.models import Contact

    seller, _other = people
    role = seller.roles.get()
    FieldRule.objects.create(role=role, module="customers.customer", field="notes", mode="hidden")
    CustomField.objects.create(module="customers.customer", code="region_code", label="区域代码", required=True)
    row = Customer.objects.create(
        name="客户甲", owner=seller, department=seller.department, custom={"region_code": "HD"})
    contact = Contact.objects.create(customer=row, name="张三", notes="喜欢喝茶")
    client.force_login(seller)
    contact_form = client.get(reverse("customers:contact_update", args=[contact.pk])).content.decode()
    assert 'name="custom.region_code"' not in contact_form
    assert 'name="notes"' in contact_form
    customer_form = client.get(reverse("customers:customer_update", args=[row.pk])).content.decode()
    assert 'name="custom.region_code"' in customer_form and 'name="notes"' not in customer_form

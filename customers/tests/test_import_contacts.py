"""Importing contacts: linked to customers the user may change, matched by customer + mobile or name."""

from __future__ import annotations

import pytest

from core.imports import services
from customers.models import Contact, Customer
from customers.search import contact_keys

from .customer_world import create, make_world
from .test_import_customers import check, csv_file, do_import, immediate  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def test_contacts_link_to_customers_by_code_or_name(world, django_capture_on_commit_callbacks):
    star = create(world.alice, "北京星辰科技有限公司")
    moon = create(world.alice, "上海月光贸易有限公司")
    theirs = create(world.bob, "南京秘密精密机械有限公司")
    lines = ["所属客户,姓名,手机,邮箱,性别,生日",
             f"{star.code},张伟,13800138000,zw@example.com,男,1980-02-03",
             "上海月光贸易有限公司,李娜,139 0013 9000,,female,",
             "南京秘密精密机械有限公司,王芳,13700137000,,,",      # row 4: not alice's customer
             "不存在的公司,赵敏,,,,",                                 # row 5: unknown customer
             f"{star.code},刘洋,12,not-an-email,,2999-01-01",        # row 6: bad mobile, email, birthday
             f"{star.code},张伟二,13800138000,,,"]                  # row 7: same mobile as row 2
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks, entity="customers.contact")
    run = do_import(world.alice, run, django_capture_on_commit_callbacks)
    assert (run.created, run.failed, run.skipped) == (2, 3, 1)
    errors = {(i.row, i.column) for i in run.issues.filter(phase="import", kind="error")}
    assert {(4, "customer"), (5, "customer"), (6, "mobile"), (6, "email"), (6, "birthday")} <= errors
    zhang = Contact.objects.get(name="张伟")
    assert zhang.customer == star and zhang.gender == "male" and zhang.owner == world.alice
    assert Contact.objects.get(name="李娜").customer == moon
    assert not Contact.objects.filter(customer=theirs).exists()
    # The customer's search keys now carry its contacts, exactly as the contact services write them;
    # its own keys are left as they were.
    own_keys = (star.search_text, star.phone_norm, star.name_key)
    star.refresh_from_db()
    assert "8613800138000" in star.contact_search and "zw" in star.contact_search
    assert star.contact_search == contact_keys(star.contacts.all())
    assert (star.search_text, star.phone_norm, star.name_key) == own_keys
    assert Customer.objects.get(pk=moon.pk).contact_search == contact_keys(moon.contacts.all())
    # Once more: every row is a duplicate now and is skipped.
    again = do_import(world.alice, check(world.alice, csv_file(lines[:3]), django_capture_on_commit_callbacks,
                                         entity="customers.contact"), django_capture_on_commit_callbacks)
    assert (again.created, again.skipped) == (0, 2)
    assert Contact.objects.count() == 2


def test_contact_update_decision(world, django_capture_on_commit_callbacks):
    star = create(world.alice, "北京星辰科技有限公司")
    lines = ["客户名称,姓名,职务", f"{star.name},张伟,经理"]
    do_import(world.alice, check(world.alice, csv_file(lines), django_capture_on_commit_callbacks,
                                 entity="customers.contact"), django_capture_on_commit_callbacks)
    lines[1] = f"{star.name},张伟,总经理"
    run = do_import(world.alice, check(world.alice, csv_file(lines), django_capture_on_commit_callbacks,
                                       entity="customers.contact", decision="update"), django_capture_on_commit_callbacks)
    assert (run.created, run.updated) == (0, 1)
    contact = Contact.objects.get()
    assert (contact.title, contact.version) == ("总经理", 2)


def test_user_without_grant_cannot_import_contacts(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.run_create(actor=world.nobody, entity="customers.contact", upload=csv_file(["客户,姓名"]))
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(("entity", "lines", "order"), [
    ("customers.contact", ["所属客户,姓名,手机", "北京星辰科技有限公司,张伟,13800138000"], ["turn", "write", "turn"]),
    ("customers.customer", ["客户名称,电话", "上海月光贸易有限公司,13900139000"], ["write", "turn"]),
])
def test_contacts_wait_for_the_batch_before_while_customers_write_beside_it(
        world, django_capture_on_commit_callbacks, monkeypatch, entity, lines, order):
    """With two writers (core.imports.writer) a batch's new customers are written while the batch
    before commits: they touch no other row. New contacts refresh their customer's search keys, which
    must include the contacts of the batch before, so they wait for its commit first."""
    from core.imports import writer
    from core.imports.registry import get_importer

    create(world.alice, "北京星辰科技有限公司")
    run = check(world.alice, csv_file(lines), django_capture_on_commit_callbacks, entity=entity)
    events = []
    importer = type(get_importer(entity))
    prepare = importer.prepare

    def recorded(self, rows, ctx):
        write = prepare(self, rows, ctx)
        return lambda: events.append("write") or write()

    monkeypatch.setattr(importer, "prepare", recorded)
    monkeypatch.setattr(writer, "_no_wait", lambda: events.append("turn"))
    run = do_import(world.alice, run, django_capture_on_commit_callbacks)
    assert run.created == 1 and events == order

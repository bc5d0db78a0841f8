"""Pages: progress grid (HTMX partial, scope note), one target (404 outside the scope), the grid form
(grant, scope, bad input changes nothing), the Excel export and the home page panel."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from contracts.models import Contract, Receipt, Receivable
from core.models import AuditLog
from customers.models import Customer
from targets.models import Level, Measure, PeriodKind, SalesTarget

from .world import YEAR, _contract, build_world, target

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def world():
    return build_world()


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_progress_page_shows_own_targets_only(world):
    mine = target(owner=world.seller, amount="800.00", number=1)
    target(owner=world.seller2, amount="777.00", number=1)
    page = login(world.seller).get(f"/targets/?year={YEAR}&level=person")
    html = page.content.decode()
    assert page.status_code == 200
    assert "李娜" in html and "周杰" not in html and "777.00" not in html
    assert "1,000.10" in html and "125.0%" in html  # January: 1000.10 of 800.00
    assert f"/targets/{mine.pk}/" in html and 'id="zg-targets-data"' in html
    assert "Sales targets" in html  # menu entry under Sales
    assert "based on the records you can see" not in html


def test_htmx_gets_the_result_partial_and_bad_input_a_message(world):
    target(Level.COMPANY, amount="100.00")
    client = login(world.boss)
    partial = client.get(f"/targets/?year={YEAR}&level=company", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert partial.status_code == 200 and html.lstrip().startswith('<div id="zg-targets-result"')
    assert "Whole company" in html or "Company" in html
    bad = client.get("/targets/?year=abc")
    assert bad.status_code == 400 and "Choose a year between 2000 and 2100." in bad.content.decode()


def test_scope_note_for_a_viewer_with_narrower_record_scope(world):
    target(Level.COMPANY, amount="100.00")
    html = login(world.narrow).get(f"/targets/?year={YEAR}&level=company").content.decode()
    assert "based on the records you can see" in html and "0.00" in html


def test_target_detail_and_404_outside_the_scope(world):
    mine = target(owner=world.seller, amount="1000.00", number=2)
    theirs = target(owner=world.seller2, amount="1000.00", number=2)
    page = login(world.seller).get(f"/targets/{mine.pk}/")
    assert page.status_code == 200 and "2,000.00" in page.content.decode()
    assert login(world.seller).get(f"/targets/{theirs.pk}/").status_code == 404
    assert login(world.manager).get(f"/targets/{theirs.pk}/").status_code == 404
    assert login(world.manager).get(f"/targets/{mine.pk}/").status_code == 200


def test_grid_needs_the_grant(world):
    client = login(world.seller)
    assert client.get("/targets/edit/").status_code == 403
    response = client.post("/targets/edit/", {"year": YEAR, "measure": "contract_amount", "level": "person",
                                              "granularity": "month", f"t-u{world.seller.pk}-1": "1"})
    assert response.status_code == 403 and not SalesTarget.objects.exists()


def grid_post(world, **cells):
    data = {"year": YEAR, "measure": "receipts", "level": "person", "granularity": "quarter",
            "department": world.east.pk}
    for name, value in cells.items():
        data[f"t-{name}"], data[f"o-{name}"], data[f"v-{name}"] = value, "", "0"
    return data


def test_manager_saves_a_quarter_grid(world):
    client = login(world.manager)
    page = client.get(f"/targets/edit/?year={YEAR}&measure=receipts&level=person&granularity=quarter"
                      f"&department={world.east.pk}").content.decode()
    assert f'name="t-u{world.seller.pk}-4"' in page and f"t-u{world.seller2.pk}-" not in page
    response = client.post("/targets/edit/", grid_post(world, **{f"u{world.seller.pk}-1": "1500",
                                                                 f"u{world.seller.pk}-2": ""}))
    assert response.status_code == 302 and "/targets/?" in response["Location"]
    row = SalesTarget.objects.get()
    assert (row.measure, row.period, row.number, row.amount, row.owner) == (
        Measure.RECEIPTS, PeriodKind.QUARTER, 1, D("1500.00"), world.seller)
    again = client.get(f"/targets/edit/?year={YEAR}&measure=receipts&level=person&granularity=quarter"
                       f"&department={world.east.pk}").content.decode()
    assert 'value="1500.00"' in again


def test_bad_grid_input_changes_nothing(world):
    client = login(world.manager)
    response = client.post("/targets/edit/", grid_post(world, **{f"u{world.seller.pk}-1": "1500",
                                                                 f"u{world.seller.pk}-2": "-3"}))
    assert response.status_code == 400 and "cannot be negative" in response.content.decode()
    assert 'value="-3"' in response.content.decode()  # what was typed stays in the form
    assert not SalesTarget.objects.exists()


def test_grid_cell_outside_the_scope_is_refused(world):
    data = grid_post(world, **{f"u{world.seller.pk}-1": "1"})
    data["department"] = ""  # "All": every person; the manager's scope is the east subtree
    data.update({f"t-u{world.seller2.pk}-1": "5", f"o-u{world.seller2.pk}-1": "", f"v-u{world.seller2.pk}-1": "0"})
    response = login(world.manager).post("/targets/edit/", data)
    assert response.status_code == 400 and "outside your data scope" in response.content.decode()
    assert not SalesTarget.objects.exists()
    # Without a department the grid starts with the manager's own department: the west row is not offered.
    data.pop("department")
    assert login(world.manager).post("/targets/edit/", data).status_code == 302
    assert list(SalesTarget.objects.values_list("owner", flat=True)) == [world.seller.pk]


def test_export_is_the_table_as_xlsx(world):
    target(owner=world.seller, amount="1000.00", number=1)
    target(owner=world.seller2, amount="8000.00", number=1)
    response = login(world.manager).get(f"/targets/export/?year={YEAR}&level=person")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Subject", "Period", "Target", "Actual", "Completion %", "All records counted")
    assert ("李娜", "Jan", 1000, 1000.1, 100, "Yes") in rows
    assert ("李娜", "Full year", 1000, 3300.43, 330, "Yes") in rows
    assert not any(r[0] == "周杰" for r in rows)  # the west salesperson is outside the manager's scope
    assert AuditLog.objects.filter(action="export", content_type__app_label="targets").count() == 1
    assert login(world.seller).get(f"/targets/export/?year={YEAR}").status_code == 403  # no export grant


def test_home_panel_shows_my_figures(world):
    today = timezone.localdate()
    # Only this month's contract, whatever today is: the hand-made 2026 documents are removed first.
    Receipt.objects.all().delete()
    Receivable.all_objects.all().delete()
    Contract.all_objects.all().delete()
    _contract(world.seller, Customer.objects.get(), 99, today, "250.50")
    target(owner=world.seller, amount="1000.00", number=today.month, year=today.year)
    html = login(world.seller).get("/").content.decode()
    assert "My performance vs target" in html and 'data-testid="target-panel-person"' in html
    assert "250.50" in html and "25.1%" in html  # this month: 250.50 of 1,000.00
    assert "target-panel-company" not in html
    assert "My performance vs target" not in login(world.seller2).get("/").content.decode()  # no targets


def test_counted_statuses_on_the_page(world):
    target(owner=world.seller, amount="500.00", number=2)
    html = login(world.boss).get(f"/targets/?year={YEAR}&level=person&measure=contract_amount").content.decode()
    # February: 2000.00 executing counts, the 500.00 draft does not.
    assert "2,000.00" in html and "2,500.00" not in html

"""core.lists.rows: the list table's rows, header cells and chooser items, escaped as the template would
escape them."""

from types import SimpleNamespace

from django.utils.safestring import mark_safe
from django.utils.translation import override

from core.lists.rows import chooser_html, headers_html, rows_html


def test_cells_are_escaped_linked_and_aligned():
    rows = [{"pk": 7, "url": "/customers/customer/7/", "css": "zg-red",
             "cells": [("<script>alert(1)</script>", False), ("1,234.50", True), (mark_safe("<b>已审核</b>"), False)]},
            {"pk": 8, "url": "/customers/customer/8/", "css": "", "cells": [("", False), ('A & "B"', False)]}]
    html = rows_html(rows, batch=True)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<tr class="zg-red">' in html and '<a href="/customers/customer/7/">&lt;script&gt;' in html
    assert '<td class="text-end zg-num">1,234.50</td>' in html
    assert "<b>已审核</b>" in html  # already safe: left as it is, as {{ }} would
    assert '<a href="/customers/customer/8/">—</a>' in html  # an empty first cell still links
    assert "A &amp; &quot;B&quot;" in html
    assert html.count('name="ids"') == 2 and 'value="7"' in html


def test_without_batch_actions_there_is_no_checkbox():
    html = rows_html([{"pk": 1, "url": "/x/1/", "css": "", "cells": [("甲", False)]}], batch=False)
    assert 'name="ids"' not in html and html == '<tr><td class=""><a href="/x/1/">甲</a></td></tr>'


def test_header_cells_link_their_sort_and_escape_labels():
    headers = [{"col": SimpleNamespace(name="name", label="客户<名称>"), "url": "?sort=name&q=a", "sorted": True,
                "desc": True, "numeric": False},
               {"col": SimpleNamespace(name="amount", label="金额"), "url": "?sort=amount", "sorted": False,
                "desc": False, "numeric": True}]
    html = headers_html(headers)
    assert '<th class="" data-col="name"><a href="?sort=name&amp;q=a" hx-get="?sort=name&amp;q=a" ' \
           'class="table-sort text-decoration-none desc">客户&lt;名称&gt;</a></th>' in html
    assert '<th class="text-end" data-col="amount">' in html and 'text-decoration-none">金额</a>' in html


def test_chooser_items_tick_the_shown_columns():
    with override("zh-hans"):
        html = chooser_html([{"name": "name", "label": "客户名称", "shown": True},
                             {"name": "x\"y", "label": "<i>备注</i>", "shown": False}])
    assert html.count("<li ") == 2 and html.count("data-zg-move") == 4
    assert 'value="name" checked>' in html and 'value="x&quot;y">' in html
    assert "&lt;i&gt;备注&lt;/i&gt;" in html and "<i>" not in html
    assert 'aria-label="上移"' in html and "#tabler-chevron-up" in html


def test_cell_dates_read_as_djangos_date_format_in_both_languages():
    import datetime

    from django.utils import formats

    from core.lists.columns import _date_text

    moment = datetime.datetime(2026, 3, 7, 9, 5)
    for language in ("zh-hans", "en"):
        with override(language):
            for name, value in (("SHORT_DATETIME_FORMAT", moment), ("SHORT_DATE_FORMAT", moment.date())):
                assert _date_text(value, name) == formats.date_format(value, name)
    with override("zh-hans"):
        assert _date_text(moment, "SHORT_DATETIME_FORMAT") == "2026年3月7日 09:05"


def test_choice_cells_read_as_get_display():
    from core.lists.columns import _choice_display
    from core.lists.fields import FieldInfo
    from customers.models import Customer

    field = Customer._meta.get_field("status")
    col = FieldInfo(name="status", label="", type="choice", operators=(), model_field=field)
    for value, _label in field.flatchoices:
        row = Customer(status=value)
        with override("zh-hans"):
            assert _choice_display(row, col) == row.get_status_display()
        with override("en"):
            assert _choice_display(row, col) == row.get_status_display()
    assert _choice_display(Customer(status="gone"), col) == "gone"


def test_a_models_own_display_method_is_used_and_otherwise_the_table(monkeypatch):
    from core.lists import columns
    from core.lists.columns import _choice_display
    from core.lists.fields import FieldInfo
    from customers.models import Customer

    field = Customer._meta.get_field("status")
    col = FieldInfo(name="status", label="", type="choice", operators=(), model_field=field)
    value, label = field.flatchoices[0]

    def refuse(*args, **kwargs):
        raise AssertionError("Django's per-call dict of choices was built")

    monkeypatch.setattr(Customer, "_get_FIELD_display", refuse)
    with override("en"):
        assert _choice_display(Customer(status=value), col) == str(label)
    monkeypatch.setattr(Customer, "get_status_display", lambda self: "自己的说法")
    monkeypatch.setattr(columns, "_CHOICE_LABELS", {})  # the tables are per model class, made once
    assert _choice_display(Customer(status=value), col) == "自己的说法"

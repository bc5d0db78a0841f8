"""core.lists.rows: the list table's rows, escaped as the template would escape them."""

from django.utils.safestring import mark_safe

from core.lists.rows import rows_html


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

"""The list table's rows as HTML, written here rather than by the template engine.

A page of 50 rows × 10 columns is some 5,000 template nodes (a loop, two conditions and a filter per
cell), the largest part of a list page's time. The row is one fixed piece of markup, so it is a
format string; every cell goes through ``conditional_escape``, exactly as ``{{ text }}`` would.
"""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

CHECKBOX = ('<td class="frozen" data-zg-fixed><input class="form-check-input m-0 align-middle" type="checkbox" '
            'name="ids" value="{pk}" form="zg-batch-form" data-zg-row aria-label="{label}"></td>')


def rows_html(rows: list[dict], *, batch: bool) -> SafeString:
    """``rows`` as render_list builds them: pk, url, css and cells of (text, numeric)."""
    label = conditional_escape(_("Select row"))
    out = []
    for row in rows:
        cells = []
        for index, (text, numeric) in enumerate(row["cells"]):
            content = conditional_escape(text)
            if index == 0:
                content = f'<a href="{conditional_escape(row["url"])}">{content or "—"}</a>'
            cells.append(f'<td class="{"text-end zg-num" if numeric else ""}">{content}</td>')
        css = f' class="{conditional_escape(row["css"])}"' if row["css"] else ""
        check = CHECKBOX.format(pk=int(row["pk"]), label=label) if batch else ""
        out.append(f"<tr{css}>{check}{''.join(cells)}</tr>")
    return mark_safe("".join(out))

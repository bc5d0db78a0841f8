"""The list table's rows, header cells and column-chooser items as HTML, written here rather than by
the template engine.

A page of 50 rows × 10 columns is some 5,000 template nodes (a loop, two conditions and a filter per
cell), the largest part of a list page's time; the chooser's 40 columns and the headers are another few
hundred on every page. Each is one fixed piece of markup, so it is a format string; every text goes
through ``conditional_escape``, exactly as ``{{ text }}`` would.
"""

from __future__ import annotations

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.templatetags.zg import icon

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


def headers_html(headers: list[dict]) -> SafeString:
    """The sortable header cells: ``headers`` as render_list builds them (col, url, sorted, desc, numeric)."""
    out = []
    for h in headers:
        order = (" desc" if h["desc"] else " asc") if h["sorted"] else ""
        url = conditional_escape(h["url"])
        out.append(f'<th class="{"text-end" if h["numeric"] else ""}" data-col="{conditional_escape(h["col"].name)}">'
                   f'<a href="{url}" hx-get="{url}" class="table-sort text-decoration-none{order}">'
                   f'{conditional_escape(h["col"].label)}</a></th>')
    return mark_safe("".join(out))


def chooser_html(chooser: list[dict]) -> SafeString:
    """The column chooser's items (name, label, shown): a tick box and up / down buttons each."""
    up, down = conditional_escape(_("Move up")), conditional_escape(_("Move down"))
    up_icon, down_icon = icon("chevron-up"), icon("chevron-down")
    out = []
    for c in chooser:
        checked = " checked" if c["shown"] else ""
        out.append(
            '<li class="list-group-item d-flex align-items-center gap-2 py-2">'
            f'<label class="form-check m-0 flex-grow-1"><input class="form-check-input" type="checkbox" name="cols" '
            f'value="{conditional_escape(c["name"])}"{checked}><span class="form-check-label">'
            f'{conditional_escape(c["label"])}</span></label>'
            f'<button type="button" class="btn btn-sm btn-icon btn-ghost-secondary" data-zg-move="-1" aria-label="{up}">'
            f'{up_icon}</button>'
            f'<button type="button" class="btn btn-sm btn-icon btn-ghost-secondary" data-zg-move="1" aria-label="{down}">'
            f'{down_icon}</button></li>')
    return mark_safe("".join(out))

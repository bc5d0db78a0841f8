"""The quote PDF: the company's editable template (QuoteTemplate.body) rendered in a sandbox and
printed with WeasyPrint, CJK text in Noto Sans CJK SC (found through fontconfig, embedded as a subset).

The sandbox: a standalone template engine with only the built-in tags and filters (no {% load %}
of app libraries, no {% include %} of files), autoescape on, and a context of plain strings and
dicts, so a template can show the quote but reach nothing else (no model methods or relations).
"""

from __future__ import annotations

from pathlib import Path

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from .amount_words import amount_in_words
from .models import Quote, QuoteTemplate

ENGINE = Engine(loaders=[], libraries={}, autoescape=True, debug=False)

CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "Noto Sans CJK SC", sans-serif; font-size: 10pt; color: #222; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 13pt; text-align: center; margin: 10pt 0; }
.muted { color: #666; } .num { text-align: right; }
table { width: 100%; border-collapse: collapse; margin: 6pt 0; }
table.lines th, table.lines td { border: 0.5pt solid #999; padding: 3pt 4pt; }
table.lines th { background: #eee; } table.totals { width: 60%; margin-left: 40%; }
table.totals td { padding: 2pt 4pt; } .logo { max-height: 40pt; }
.terms, .footer { margin-top: 10pt; white-space: normal; }
"""


def current_template() -> QuoteTemplate:
    return QuoteTemplate.objects.order_by("id").first() or QuoteTemplate()


def validate_body(body: str) -> None:
    """Raise TemplateSyntaxError when the body does not compile in the sandbox."""
    ENGINE.from_string(body)


def _num(value) -> str:
    return formats.number_format(value, decimal_pos=None, use_l10n=False) if value is not None else ""


def context_for(quote: Quote, company: QuoteTemplate) -> dict:
    lines = [{"product": str(line.product), "code": line.product.code, "spec": line.product.spec,
              "unit": str(line.unit), "quantity": line.quantity_plain,
              "unit_price": line.unit_price_plain, "discount": _num(line.discount),
              "tax_rate": _num(line.tax_rate), "amount": _num(line.amount), "tax": _num(line.tax),
              "total": _num(line.total)}
             for line in quote.lines.select_related("product", "unit")]
    return {
        "company": {"name": company.company_name, "address": company.address, "phone": company.phone,
                    "header": company.header, "footer": company.footer, "terms": company.terms},
        "quote": {"code": quote.code, "customer": str(quote.customer), "owner": str(quote.owner or ""),
                  "date": timezone.localdate(quote.created_at).isoformat() if quote.created_at else "",
                  "valid_until": quote.valid_until.isoformat() if quote.valid_until else "",
                  "status": str(quote.get_status_display()), "notes": quote.notes,
                  "subtotal": _num(quote.subtotal), "discount_total": _num(quote.discount_total),
                  "tax_total": _num(quote.tax_total), "grand_total": _num(quote.grand_total),
                  "grand_total_words": amount_in_words(quote.grand_total)},
        "lines": lines,
    }


def render_html(quote: Quote, company: QuoteTemplate | None = None) -> str:
    company = company or current_template()
    try:
        template = ENGINE.from_string(company.body)
    except TemplateSyntaxError:
        # A broken template must not stop quoting: fall back to the default layout.
        template = ENGINE.from_string(QuoteTemplate._meta.get_field("body").default)
    body = template.render(Context(context_for(quote, company), autoescape=True))
    logo = ""
    if company.logo:
        try:
            logo = format_html('<img class="logo" src="{}">', Path(company.logo.path).as_uri())
        except (ValueError, NotImplementedError):
            logo = ""
    return format_html('<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>{}</style></head>'
                       "<body>{}{}</body></html>", mark_safe(CSS), logo, mark_safe(body))


def render_pdf(quote: Quote, company: QuoteTemplate | None = None) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(quote, company), base_url=None).write_pdf()

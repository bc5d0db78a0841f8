"""The kanban's cards, read as plain rows and written as HTML here rather than by the template engine.

A board shows up to 140 cards of a dozen values each; through ``{% for %}`` that is some 3,000 variable
lookups and filters per page, more than the database takes to find the cards (bench: board). The card is
one fixed piece of markup, so it is a format string: every text that comes from a record goes through
``html.escape`` (quotes included), the labels are translated once per page, and nothing else varies.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Opportunity
from .tasks import limit_days

# What a card shows: its query reads only these columns, as plain rows (no model instances).
CARD_VALUES = ("id", "version", "code", "subject", "amount", "status", "terminated", "converted", "audited",
               "stage_entered_at", "customer__name", "owner__username", "owner__first_name", "owner__last_name")

CARD = ('<div class="card card-sm zg-card{classes}"{drag} data-id="{id}" data-version="{version}">'
        '<div class="card-body p-2">'
        '<a href="{url}" class="fw-bold d-block text-truncate" title="{title}">{title}</a>'
        '<div class="small text-secondary text-truncate">{customer}</div>'
        '<div class="d-flex justify-content-between small mt-1"><span>{amount}</span><span>{owner}</span></div>'
        '<div class="small mt-1">{badges}</div>'
        '</div></div>')
BADGE = '<span class="badge {cls}"{title}>{text}</span>'


@dataclass(frozen=True)
class CardLook:
    """What is the same for every card of one page: the viewer's rights and the translated labels."""

    draggable: bool
    hidden: frozenset[str]
    moved: int | None
    detail_prefix: str
    labels: dict

    @classmethod
    def for_page(cls, *, draggable: bool, hidden, moved: int | None) -> CardLook:
        return cls(draggable=draggable, hidden=frozenset(hidden), moved=moved,
                   detail_prefix=reverse("sales:opportunity_detail", args=[0]).removesuffix("0/"),
                   labels={key: escape(text) for key, text in (
                       ("terminated", _("Terminated")), ("converted", _("Converted")), ("audited", _("Audited")),
                       ("lost", _("Lost")), ("won", _("Won")), ("dwell", _("Days in this stage")))})


def _badge(cls: str, text: str, title: str = "") -> str:
    return BADGE.format(cls=cls, text=text, title=f' title="{title}"' if title else "")


def card_html(row: dict, *, stage_id: int | None, look: CardLook, limit: int, now, days_text: dict) -> str:
    """One card. Terminated red, converted blue (卓越精财); the days in the current stage are flagged
    orange once past the stage's alert limit (``limit`` days) while the opportunity is open."""
    labels = look.labels
    badges = []
    if row["terminated"]:
        badges.append(_badge("bg-red text-red-fg", labels["terminated"]))
    elif row["converted"]:
        badges.append(_badge("bg-blue text-blue-fg", labels["converted"]))
    if row["audited"]:
        badges.append(_badge("bg-green-lt", labels["audited"]))
    if row["stage_entered_at"] is not None:
        days = (now - row["stage_entered_at"]).days
        if days not in days_text:
            days_text[days] = ngettext("%(d)s day", "%(d)s days", days) % {"d": days}
        stalled = row["status"] == Opportunity.Status.OPEN and not row["terminated"] and days > limit
        badges.append(_badge("bg-orange-lt" if stalled else "bg-secondary-lt", days_text[days], labels["dwell"]))
    if row["status"] in ("lost", "won"):
        badges.append(_badge("bg-secondary-lt" if row["status"] == "lost" else "bg-green-lt", labels[row["status"]]))
    colour = "red" if row["terminated"] else "blue" if row["converted"] else ""
    hidden = look.hidden
    title = (row["subject"] if "subject" not in hidden else row["code"] if "code" not in hidden else "—")
    owner = f"{row['owner__last_name'] or ''}{row['owner__first_name'] or ''}".strip() or row["owner__username"] or ""
    return CARD.format(
        classes=(f" zg-{colour}" if colour else "") + (" zg-moved" if row["id"] == look.moved else ""),
        drag=' draggable="true"' if look.draggable and stage_id is not None else "",
        id=row["id"], version=row["version"], url=f"{look.detail_prefix}{row['id']}/", title=escape(title),
        customer="" if "customer" in hidden else escape(row["customer__name"] or ""),
        amount="" if "amount" in hidden else f"¥{row['amount'] or 0:,.2f}",
        owner=escape(owner), badges=" ".join(badges))


def cards_html(rows: list[dict], *, stage_id: int | None, look: CardLook, rules: dict) -> SafeString:
    now, limit, days_text = timezone.now(), limit_days(stage_id, rules), {}
    return mark_safe("".join(card_html(row, stage_id=stage_id, look=look, limit=limit, now=now, days_text=days_text)
                             for row in rows))

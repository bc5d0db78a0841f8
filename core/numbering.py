"""Numbering rules (编号规则): document codes such as ``HT-202611-0001`` or ``KH-BJA-00012``.

A rule's pattern mixes literal text with placeholders:

``{seq:N}``          the sequence number, zero-padded to N digits (exactly one per pattern)
``{date:<format>}``  the document date in strftime format, e.g. ``{date:%Y%m}``
``{region}`` ``{level}`` ``{prefix}`` … values the caller passes in ``context``

The sequence restarts each period (``NumberingRule.reset``) and counts separately for each
combination of context values written before ``{seq}``, so ``KH-{region}{level}-{seq:5}`` numbers
Beijing A-level customers apart from Shanghai B-level ones. ``next_code`` takes the counter under a
row lock, so codes never repeat, also when many documents are created at the same moment.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit
from .audit import Action
from .models import NumberingRule, Sequence

Reset = NumberingRule.Reset
TOKEN_RE = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^{}]*))?\}")
MAX_CODE_LENGTH = 40  # the code columns of the business models hold 40 characters
MAX_SEQ_DIGITS = 12
MAX_SKIPS = 1000  # codes next_code may pass over because the caller says they are taken

# Context keys any pattern may use, with the sample value the preview shows.
CONTEXT_KEYS: dict[str, tuple[object, str]] = {
    "prefix": (gettext_lazy("prefix passed by the caller"), "X"),
    "region": (gettext_lazy("region code"), "BJ"),
    "level": (gettext_lazy("customer level code"), "A"),
    "type": (gettext_lazy("type code"), "QY"),
    "department": (gettext_lazy("department code"), "XS"),
    "user": (gettext_lazy("user name"), "zhangsan"),
    "warehouse": (gettext_lazy("warehouse code"), "WH1"),
}


@dataclass(frozen=True)
class DocType:
    code: str
    label: object
    pattern: str
    reset: str = Reset.MONTHLY


DOC_TYPES: dict[str, DocType] = {}


def register_doc_type(code: str, label, pattern: str, reset: str = Reset.MONTHLY) -> DocType:
    """Declare a document type and its default rule; apps call this for documents of their own."""
    DOC_TYPES[code] = DocType(code, label, pattern, reset)
    return DOC_TYPES[code]


for _code, _label, _pattern, _reset in [
    ("customer", gettext_lazy("Customer"), "KH{date:%Y%m}{seq:4}", Reset.MONTHLY),
    ("lead", gettext_lazy("Lead"), "XS{date:%Y%m}{seq:4}", Reset.MONTHLY),
    ("opportunity", gettext_lazy("Opportunity"), "SJ-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("quote", gettext_lazy("Quote"), "BJ-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("contract", gettext_lazy("Sales contract"), "HT-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("order", gettext_lazy("Sales order"), "DD-{date:%Y%m%d}-{seq:3}", Reset.DAILY),
    ("project", gettext_lazy("Project"), "XM-{date:%Y}-{seq:4}", Reset.YEARLY),
    ("receipt", gettext_lazy("Receipt"), "SK-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("payment", gettext_lazy("Payment"), "FK-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("refund", gettext_lazy("Refund"), "TK-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("invoice", gettext_lazy("Invoice record"), "FP-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("expense", gettext_lazy("Expense claim"), "BX-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("advance", gettext_lazy("Advance"), "JZ-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("purchase_contract", gettext_lazy("Purchase contract"), "CGHT-{date:%Y%m}-{seq:4}", Reset.MONTHLY),
    ("purchase_order", gettext_lazy("Purchase order"), "CG-{date:%Y%m%d}-{seq:3}", Reset.DAILY),
    ("stock_in", gettext_lazy("Stock receipt"), "RK-{date:%Y%m%d}-{seq:3}", Reset.DAILY),
    ("shipment", gettext_lazy("Shipment"), "FH-{date:%Y%m%d}-{seq:3}", Reset.DAILY),
    ("transfer", gettext_lazy("Stock transfer"), "DB-{date:%Y%m%d}-{seq:3}", Reset.DAILY),
    ("stocktake", gettext_lazy("Stocktake"), "PD-{date:%Y%m}-{seq:3}", Reset.MONTHLY),
    ("service_ticket", gettext_lazy("Service ticket"), "GD-{date:%Y%m%d}-{seq:3}", Reset.DAILY),
    ("campaign", gettext_lazy("Campaign"), "HD-{date:%Y}-{seq:3}", Reset.YEARLY),
    ("product", gettext_lazy("Product"), "CP{seq:5}", Reset.NEVER),
    ("supplier", gettext_lazy("Supplier"), "GYS{seq:4}", Reset.NEVER),
]:
    register_doc_type(_code, _label, _pattern, _reset)


# ---- patterns --------------------------------------------------------------------------------

def parse(pattern: str) -> list[tuple[str, str, str]]:
    """Split a pattern into ("text", literal, "") and ("key", name, argument) parts; ValueError if malformed."""
    parts, pos = [], 0
    for match in TOKEN_RE.finditer(pattern):
        literal = pattern[pos:match.start()]
        if "{" in literal or "}" in literal:
            raise ValueError(literal)
        if literal:
            parts.append(("text", literal, ""))
        parts.append(("key", match.group(1), match.group(2) or ""))
        pos = match.end()
    tail = pattern[pos:]
    if "{" in tail or "}" in tail:
        raise ValueError(tail)
    if tail:
        parts.append(("text", tail, ""))
    return parts


def _text(value) -> str:
    """A context value as it goes into a code: a lookup's or region's code, a user's name, else the text."""
    if value is None:
        return ""
    for attr in ("code", "username"):
        inner = getattr(value, attr, None)
        if inner:
            return str(inner).strip()
    return re.sub(r"\s+", "", str(value))


def render(pattern: str, *, seq: int, when: datetime.date, context: dict | None = None) -> str:
    context = context or {}
    out = []
    for kind, name, arg in parse(pattern):
        if kind == "text":
            out.append(name)
        elif name == "seq":
            out.append(str(seq).zfill(int(arg)))
        elif name == "date":
            out.append(when.strftime(arg))
        else:
            out.append(_text(context.get(name)))
    return "".join(out)


_PERIOD_FORMATS = {Reset.YEARLY: "%Y", Reset.MONTHLY: "%Y%m", Reset.DAILY: "%Y%m%d"}


def period_key(reset: str, when: datetime.date) -> str:
    """The counter's period: "2026", "202611", "20261103", or "" for a rule that never restarts."""
    fmt = _PERIOD_FORMATS.get(reset)
    return when.strftime(fmt) if fmt else ""


def scope_key(pattern: str, context: dict | None) -> str:
    """The context values written before {seq}: each combination has a counter of its own."""
    context = context or {}
    values = []
    for kind, name, _arg in parse(pattern):
        if kind == "key" and name == "seq":
            break
        if kind == "key" and name != "date":
            values.append(f"{name}={_text(context.get(name))}")
    key = "|".join(values)
    # The column is short; a long key is shortened with a digest so different scopes stay apart.
    if len(key) > 60:
        key = key[:20] + "#" + hashlib.sha1(key.encode()).hexdigest()[:39]
    return key


# Directives that must appear in the date part for a counter that restarts each period, or the
# codes of two periods would be the same.
_PERIOD_NEEDS = {
    Reset.YEARLY: [("%Y", "%y", "%G")],
    Reset.MONTHLY: [("%Y", "%y", "%G"), ("%m", "%b", "%B")],
    Reset.DAILY: [("%Y", "%y", "%G"), ("%j",)],
}


def validate_pattern(pattern: str, *, reset: str = Reset.NEVER) -> None:
    """Raise ValidationError with every problem of the pattern (used by the rules page and the services)."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise ValidationError(_("Enter a pattern."))
    try:
        parts = parse(pattern)
    except ValueError:
        raise ValidationError(_("Braces must enclose a placeholder such as {seq:4} or {date:%Y%m}.")) from None
    errors = []
    seqs = [p for p in parts if p[0] == "key" and p[1] == "seq"]
    if len(seqs) != 1:
        errors.append(_("The pattern must contain the sequence number exactly once, e.g. {seq:4}."))
    elif not seqs[0][2].isdigit() or not 1 <= int(seqs[0][2]) <= MAX_SEQ_DIGITS:
        errors.append(_("Write the sequence as {seq:N} with N digits between 1 and %(max)s.") % {"max": MAX_SEQ_DIGITS})
    date_formats = []
    for kind, name, arg in parts:
        if kind != "key" or name == "seq":
            continue
        if name == "date":
            if not arg or not re.fullmatch(r"(%[YymdjbBGVW]|[-_./ A-Za-z0-9])+", arg):
                errors.append(_("Write the date as {date:FORMAT} using %(codes)s, e.g. %(example)s.")
                              % {"codes": "%Y %y %m %d %j", "example": "{date:%Y%m}"})
            date_formats.append(arg)
        elif name not in CONTEXT_KEYS:
            errors.append(_("Unknown placeholder {%(name)s}.") % {"name": name})
        elif arg:
            errors.append(_("The placeholder {%(name)s} takes no format.") % {"name": name})
    if not errors and reset in _PERIOD_NEEDS:
        dates = "".join(date_formats)
        if reset == Reset.DAILY and "%j" not in dates:
            needs = [("%Y", "%y", "%G"), ("%m", "%b", "%B"), ("%d",)]
        else:
            needs = _PERIOD_NEEDS[reset]
        if not all(any(d in dates for d in group) for group in needs):
            errors.append(_("The sequence restarts each period, so the date part must show that period "
                            "(e.g. %(example)s for a monthly restart).") % {"example": "{date:%Y%m}"})
    if not errors and len(sample(pattern)) > MAX_CODE_LENGTH:
        errors.append(_("The codes would be longer than %(max)s characters.") % {"max": MAX_CODE_LENGTH})
    if errors:
        raise ValidationError(errors)


def sample_context() -> dict:
    """Example values for every context key, as the rules page shows them."""
    return {key: value for key, (_label, value) in CONTEXT_KEYS.items()}


def sample(pattern: str, *, seq: int = 1, when: datetime.date | None = None) -> str:
    """An example code with sample context values (the rules page shows it while typing)."""
    return render(pattern, seq=seq, when=when or timezone.localdate(), context=sample_context())


def preview(pattern: str, *, reset: str = Reset.NEVER, when: datetime.date | None = None) -> dict:
    """{"ok": bool, "code": example code, "errors": [...]} for a pattern being edited."""
    try:
        validate_pattern(pattern, reset=reset)
    except ValidationError as exc:
        return {"ok": False, "code": "", "errors": exc.messages}
    return {"ok": True, "code": sample(pattern, when=when), "errors": []}


# ---- rules and codes -------------------------------------------------------------------------

def _local_date(when) -> datetime.date:
    if when is None:
        return timezone.localdate()
    if isinstance(when, datetime.datetime):
        return timezone.localtime(when).date() if timezone.is_aware(when) else when.date()
    return when


def rule_for(doc_type: str) -> NumberingRule:
    """The rule of a document type; a registered type gets its default rule on first use."""
    rule = NumberingRule.objects.filter(doc_type=doc_type).first()
    if rule is not None:
        return rule
    default = DOC_TYPES.get(doc_type)
    if default is None:
        raise ValidationError(_("No numbering rule for %(type)s.") % {"type": doc_type})
    rule, _created = NumberingRule.objects.get_or_create(
        doc_type=doc_type, defaults={"name": str(default.label), "pattern": default.pattern, "reset": default.reset})
    return rule


def ensure_default_rules() -> int:
    """Create the default rule of every registered document type that has none. Returns the count added."""
    existing = set(NumberingRule.objects.values_list("doc_type", flat=True))
    new = [NumberingRule(doc_type=d.code, name=str(d.label), pattern=d.pattern, reset=d.reset)
           for d in DOC_TYPES.values() if d.code not in existing]
    NumberingRule.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def next_code(doc_type: str, *, context: dict | None = None, when=None, taken: Callable[[str], bool] | None = None) -> str:
    """Hand out the next code of a document type. Every call consumes a number, even if unused later.

    ``taken(code)`` lets the caller skip codes that already exist in its table (imported records,
    codes typed by hand, or codes issued before an administrator changed the rule).
    """
    day = _local_date(when)
    # transaction.atomic is required since the counter row is held with FOR UPDATE until commit.
    with transaction.atomic():
        rule = rule_for(doc_type)
        key = {"rule": rule, "period": period_key(rule.reset, day), "scope": scope_key(rule.pattern, context)}
        # get_or_create copes with two first-of-period calls racing to insert the row.
        Sequence.objects.get_or_create(**key)
        counter = Sequence.objects.select_for_update().get(**key)
        for _attempt in range(MAX_SKIPS):
            counter.value += 1
            code = render(rule.pattern, seq=counter.value, when=day, context=context)
            if taken is None or not taken(code):
                break
        else:
            raise ValidationError(_("No free code found for %(type)s; check the numbering rule.") % {"type": doc_type})
        counter.save(update_fields=["value"])
        return code


def reserve_codes(doc_type: str, count: int, *, context: dict | None = None, when=None,
                  taken: Callable[[list[str]], set[str]] | None = None) -> list[str]:
    """``count`` consecutive codes of a document type taken in one locked update (bulk imports).

    ``taken(codes)`` gets a list of candidate codes and returns those already used; they are passed
    over like in :func:`next_code`, checked a batch at a time instead of one query per code.
    """
    return reserve_code_groups(doc_type, [(context, count)], when=when, taken=taken)[0]


def reserve_code_groups(doc_type: str, wanted: list[tuple[dict | None, int]], *, when=None,
                        taken: Callable[[list[str]], set[str]] | None = None) -> list[list[str]]:
    """:func:`reserve_codes` for several contexts at once, a list of codes for each (context, count):
    one transaction, the counters of all their scopes locked by one statement (in id order, so two
    callers cannot deadlock), the candidates of all of them checked by one ``taken`` call per round.
    An import batch holds rows of many regions and levels; this is a few statements for all of them."""
    day = _local_date(when)
    codes: list[list[str]] = [[] for _ in wanted]
    if not any(count > 0 for _context, count in wanted):
        return codes
    own_transaction = not connection.in_atomic_block
    with transaction.atomic():
        if own_transaction:
            _commit_without_waiting()
        rule = rule_for(doc_type)
        period = period_key(rule.reset, day)
        scopes = [scope_key(rule.pattern, context) for context, _count in wanted]
        counters = _locked_counters(rule, period, {scope for scope, (_context, count)
                                                    in zip(scopes, wanted, strict=True) if count > 0})
        skipped = 0
        while True:
            candidates = {}
            for i, ((context, count), scope) in enumerate(zip(wanted, scopes, strict=True)):
                want = count - len(codes[i])
                if want > 0:
                    counter = counters[scope]
                    candidates[i] = [render(rule.pattern, seq=counter.value + n, when=day, context=context)
                                     for n in range(1, want + 1)]
                    counter.value += want
            if not candidates:
                break
            used = taken([code for batch in candidates.values() for code in batch]) if taken is not None else set()
            for i, batch in candidates.items():
                codes[i].extend(code for code in batch if code not in used)
            skipped += len(used)
            if skipped > MAX_SKIPS:
                raise ValidationError(_("No free code found for %(type)s; check the numbering rule.") % {"type": doc_type})
        Sequence.objects.bulk_update(list(counters.values()), ["value"])
    return codes


def _commit_without_waiting() -> None:
    """PostgreSQL: this transaction's commit does not wait for its log to reach the disk. Safe for
    reserved codes: a record stored with one of them commits later, and its commit flushes the log up
    to itself, this reservation included; a crash before that loses only codes nobody holds yet. An
    import reserves a batch's codes while earlier batches stream to the log, and waiting for the
    flush was most of a reservation's time. Only for a reservation that is a transaction of its own:
    inside a caller's transaction it would hold for the caller's writes too."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _locked_counters(rule, period: str, scopes: set[str]) -> dict[str, Sequence]:
    """The counters of ``scopes``, created when missing (two first uses racing insert one row), locked."""
    def lock():
        return {counter.scope: counter for counter in Sequence.objects.select_for_update()
                .filter(rule=rule, period=period, scope__in=scopes).order_by("pk")}

    counters = lock()
    if len(counters) < len(scopes):
        Sequence.objects.bulk_create([Sequence(rule=rule, period=period, scope=scope)
                                      for scope in scopes - counters.keys()], ignore_conflicts=True)
        counters = lock()
    return counters


def peek_code(doc_type: str, *, context: dict | None = None, when=None) -> str:
    """The code the next call would hand out (not reserved: someone else may take it first)."""
    day = _local_date(when)
    rule = NumberingRule.objects.filter(doc_type=doc_type).first()
    if rule is None:
        return render(DOC_TYPES[doc_type].pattern, seq=1, when=day, context=context)
    current = Sequence.objects.filter(rule=rule, period=period_key(rule.reset, day),
                                      scope=scope_key(rule.pattern, context)).values_list("value", flat=True).first()
    return render(rule.pattern, seq=(current or 0) + 1, when=day, context=context)


def peek_all(*, context: dict | None = None, when=None) -> dict[str, str]:
    """peek_code for every registered or saved document type, in two queries (for the rules page)."""
    day = _local_date(when)
    rules = {rule.doc_type: rule for rule in NumberingRule.objects.all()}
    periods = {period_key(reset, day) for reset in Reset.values}
    current = {(rule_id, period, scope): value for rule_id, period, scope, value in
               Sequence.objects.filter(period__in=periods).values_list("rule_id", "period", "scope", "value")}
    result = {}
    for doc_type in dict.fromkeys([*DOC_TYPES, *rules]):
        rule = rules.get(doc_type)
        if rule is None:
            result[doc_type] = render(DOC_TYPES[doc_type].pattern, seq=1, when=day, context=context)
            continue
        value = current.get((rule.pk, period_key(rule.reset, day), scope_key(rule.pattern, context)), 0)
        result[doc_type] = render(rule.pattern, seq=value + 1, when=day, context=context)
    return result


def _require_admin(actor) -> None:
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_superuser):
        raise PermissionDenied(_("Only administrators may change numbering rules."))


@transaction.atomic
def rule_save(*, actor, doc_type: str, name: str, pattern: str, reset: str) -> NumberingRule:
    """Create or change the rule of a document type. Counters continue, so codes already issued stay unique."""
    _require_admin(actor)
    errors = {}
    name, pattern = (name or "").strip(), (pattern or "").strip()
    if doc_type not in DOC_TYPES and not NumberingRule.objects.filter(doc_type=doc_type).exists():
        raise ValidationError(_("Unknown document type."))
    if not name:
        errors["name"] = _("Enter a name.")
    if reset not in Reset.values:
        errors["reset"] = _("Choose when the sequence restarts.")
    else:
        try:
            validate_pattern(pattern, reset=reset)
        except ValidationError as exc:
            errors["pattern"] = exc.messages
    if errors:
        raise ValidationError(errors)
    rule = NumberingRule.objects.select_for_update().filter(doc_type=doc_type).first()
    if rule is None:
        rule = NumberingRule.objects.create(doc_type=doc_type, name=name, pattern=pattern, reset=reset)
        audit.log(actor=actor, action=Action.CREATE, instance=rule, changes=audit.diff({}, audit.snapshot(rule)))
        return rule
    before = audit.snapshot(rule)
    rule.name, rule.pattern, rule.reset = name, pattern, reset
    changes = audit.diff(before, audit.snapshot(rule))
    if changes:
        rule.save()
        audit.log(actor=actor, action=Action.UPDATE, instance=rule, changes=changes)
    return rule

"""Numbering rules (编号规则): patterns, periods, scopes, uniqueness under concurrency, the rules page."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from core import numbering
from core.models import AuditLog, LookupItem, NumberingRule, Sequence
from core.testing import make_user

NOV = datetime.date(2026, 11, 3)
DEC = datetime.date(2026, 12, 1)


def rule(doc_type, pattern, reset=NumberingRule.Reset.NEVER):
    return NumberingRule.objects.update_or_create(doc_type=doc_type, defaults={"name": doc_type, "pattern": pattern, "reset": reset})[0]


# ---- patterns ----------------------------------------------------------------------------------

def test_render_fills_every_placeholder():
    code = numbering.render("KH-{region}{level}-{date:%y%m%d}-{seq:5}{prefix}", seq=42, when=NOV,
                           context={"region": "BJ", "level": LookupItem(kind="customer_level", code="A"), "prefix": None})
    assert code == "KH-BJA-261103-00042"
    assert numbering.render("{seq:2}", seq=123, when=NOV) == "123"  # wider numbers are never cut


@pytest.mark.parametrize("pattern, reset", [
    ("HT-{date:%Y%m}-{seq:4}", "monthly"),
    ("HT-{date:%Y%m}-{seq:4}", "never"),
    ("KH-{region}{level}-{seq:5}", "never"),
    ("DD{date:%Y%m%d}{seq:3}", "daily"),
    ("DD{date:%Y%j}{seq:3}", "daily"),
    ("XM-{date:%Y}-{seq:4}", "yearly"),
    ("{seq:1}", "never"),
])
def test_valid_patterns(pattern, reset):
    numbering.validate_pattern(pattern, reset=reset)
    assert numbering.preview(pattern, reset=reset)["ok"]


@pytest.mark.parametrize("pattern, reset", [
    ("", "never"),
    ("HT-{date:%Y%m}", "never"),                 # no sequence
    ("{seq:4}-{seq:4}", "never"),                # two sequences
    ("HT-{seq}", "never"),                       # no width
    ("HT-{seq:0}", "never"),
    ("HT-{seq:13}", "never"),
    ("HT-{seq:x}", "never"),
    ("HT-{customer}-{seq:4}", "never"),          # unknown placeholder
    ("HT-{region:x}-{seq:4}", "never"),          # context values take no format
    ("HT-{date}-{seq:4}", "never"),              # date needs a format
    ("HT-{date:%H%M}-{seq:4}", "never"),         # time of day is not a date part
    ("HT-{{seq:4}}", "never"),                   # stray braces
    ("HT-{seq:4", "never"),
    ("HT-{seq:4}", "monthly"),                   # restarts monthly but the code shows no month
    ("HT-{date:%Y}-{seq:4}", "monthly"),
    ("HT-{date:%m%d}-{seq:4}", "daily"),          # no year: codes would repeat next year
    ("X" * 40 + "{seq:4}", "never"),             # longer than the code columns
])
def test_invalid_patterns_are_refused(pattern, reset):
    with pytest.raises(ValidationError):
        numbering.validate_pattern(pattern, reset=reset)
    result = numbering.preview(pattern, reset=reset)
    assert not result["ok"] and result["errors"]


def test_scope_key_uses_values_before_the_sequence_only():
    pattern = "KH-{region}{level}-{seq:5}-{department}"
    a = numbering.scope_key(pattern, {"region": "BJ", "level": "A", "department": "X"})
    b = numbering.scope_key(pattern, {"region": "BJ", "level": "A", "department": "Y"})
    c = numbering.scope_key(pattern, {"region": "SH", "level": "A"})
    assert a == b != c
    long = numbering.scope_key("{prefix}{seq:4}", {"prefix": "长" * 80})
    assert len(long) <= 60 and long != numbering.scope_key("{prefix}{seq:4}", {"prefix": "长" * 79})


# ---- next_code ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_default_rule_is_created_on_first_use_and_counts_up():
    assert not NumberingRule.objects.exists()
    assert numbering.next_code("contract", when=NOV) == "HT-202611-0001"
    assert numbering.next_code("contract", when=NOV) == "HT-202611-0002"
    assert numbering.next_code("customer", when=NOV) == "KH2026110001"
    assert NumberingRule.objects.get(doc_type="contract").pattern == "HT-{date:%Y%m}-{seq:4}"


@pytest.mark.django_db
def test_ensure_default_rules_is_idempotent():
    rule("contract", "C{seq:6}")
    added = numbering.ensure_default_rules()
    assert added == len(numbering.DOC_TYPES) - 1
    assert numbering.ensure_default_rules() == 0
    assert NumberingRule.objects.get(doc_type="contract").pattern == "C{seq:6}"
    for doc_type in ("customer", "contract", "order", "quote", "opportunity", "receipt"):
        assert NumberingRule.objects.filter(doc_type=doc_type).exists()


@pytest.mark.django_db
def test_unknown_document_type_is_refused():
    with pytest.raises(ValidationError):
        numbering.next_code("no_such_document")
    assert not NumberingRule.objects.exists()


@pytest.mark.django_db
def test_monthly_reset():
    rule("contract", "HT-{date:%Y%m}-{seq:4}", "monthly")
    assert [numbering.next_code("contract", when=NOV) for _ in range(2)] == ["HT-202611-0001", "HT-202611-0002"]
    assert numbering.next_code("contract", when=DEC) == "HT-202612-0001"
    assert numbering.next_code("contract", when=NOV) == "HT-202611-0003"
    assert set(Sequence.objects.values_list("period", "value")) == {("202611", 3), ("202612", 1)}


@pytest.mark.django_db
def test_yearly_daily_and_never_resets():
    rule("project", "XM{date:%Y}{seq:3}", "yearly")
    rule("order", "DD{date:%Y%m%d}{seq:3}", "daily")
    rule("product", "CP{seq:5}", "never")
    next_year = datetime.date(2027, 1, 1)
    assert numbering.next_code("project", when=NOV) == "XM2026001"
    assert numbering.next_code("project", when=DEC) == "XM2026002"
    assert numbering.next_code("project", when=next_year) == "XM2027001"
    assert numbering.next_code("order", when=NOV) == "DD20261103001"
    assert numbering.next_code("order", when=NOV + datetime.timedelta(days=1)) == "DD20261104001"
    assert numbering.next_code("product", when=NOV) == "CP00001"
    assert numbering.next_code("product", when=next_year) == "CP00002"


@pytest.mark.django_db
def test_each_region_and_level_counts_separately():
    rule("customer", "KH-{region}{level}-{seq:5}")
    a_level = LookupItem.objects.create(kind="customer_level", code="A", name="A级")
    codes = [
        numbering.next_code("customer", context={"region": "BJ", "level": a_level}),
        numbering.next_code("customer", context={"region": "BJ", "level": "A"}),
        numbering.next_code("customer", context={"region": "SH", "level": "B"}),
        numbering.next_code("customer", context={"region": "BJ", "level": "B"}),
        numbering.next_code("customer", context={"region": "BJ", "level": "A"}),
        numbering.next_code("customer", context={}),
    ]
    assert codes == ["KH-BJA-00001", "KH-BJA-00002", "KH-SHB-00001", "KH-BJB-00001", "KH-BJA-00003", "KH--00001"]


@pytest.mark.django_db
def test_datetime_is_read_in_the_company_time_zone():
    rule("order", "DD{date:%Y%m%d}{seq:3}", "daily")
    # 17:00 UTC on 3 Nov is already 4 Nov in Shanghai.
    moment = datetime.datetime(2026, 11, 3, 17, 0, tzinfo=datetime.UTC)
    assert numbering.next_code("order", when=moment) == "DD20261104001"


@pytest.mark.django_db
def test_taken_codes_are_skipped():
    rule("customer", "KH{seq:3}")
    existing = {"KH001", "KH002", "KH004"}
    codes = [numbering.next_code("customer", taken=existing.__contains__) for _ in range(3)]
    assert codes == ["KH003", "KH005", "KH006"]


@pytest.mark.django_db
def test_gives_up_when_every_code_is_taken():
    rule("customer", "KH{seq:3}")
    with pytest.raises(ValidationError):
        numbering.next_code("customer", taken=lambda code: True)
    assert not Sequence.objects.filter(value__gt=0).exists()  # the failed call consumed nothing


@pytest.mark.django_db
def test_many_sequential_codes_are_unique():
    codes = [numbering.next_code("quote", when=NOV) for _ in range(200)]
    assert len(set(codes)) == 200
    assert codes[-1] == "BJ-202611-0200"


@pytest.mark.django_db
def test_peek_does_not_consume():
    assert numbering.peek_code("contract", when=NOV) == "HT-202611-0001"
    assert not NumberingRule.objects.exists()
    numbering.next_code("contract", when=NOV)
    assert numbering.peek_code("contract", when=NOV) == "HT-202611-0002"
    assert numbering.peek_code("contract", when=NOV) == "HT-202611-0002"


@pytest.mark.django_db
def test_peek_all_matches_peek_code():
    rule("customer", "KH-{region}{level}-{seq:5}")
    rule("stocktake", "PD{date:%Y%m%d}{seq:3}", "daily")
    context = {"region": "BJ", "level": "A"}
    for _ in range(3):
        numbering.next_code("customer", context=context, when=NOV)
    numbering.next_code("stocktake", when=NOV)
    everything = numbering.peek_all(context=context, when=NOV)
    assert everything["customer"] == "KH-BJA-00004" and everything["stocktake"] == "PD20261103002"
    for doc_type, code in everything.items():
        assert code == numbering.peek_code(doc_type, context=context, when=NOV)


@pytest.mark.postgres
def test_codes_never_repeat_under_concurrency_on_postgres(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    threads_count, per_thread = 8, 25
    barrier = threading.Barrier(threads_count)
    codes, errors, lock = [], [], threading.Lock()

    def work(index):
        try:
            barrier.wait()
            # Two scopes, and the rule itself does not exist yet: every first-use race is exercised.
            context = {"region": "BJ" if index % 2 else "SH"}
            for _ in range(per_thread):
                code = numbering.next_code("contract", when=NOV)
                scoped = numbering.next_code("lead_scoped", context=context, when=NOV)
                with lock:
                    codes.append(code)
                    codes.append(scoped)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    numbering.register_doc_type("lead_scoped", "Lead", "XS-{region}-{seq:4}", NumberingRule.Reset.NEVER)
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(threads_count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        numbering.DOC_TYPES.pop("lead_scoped", None)
    assert not errors, errors
    total = threads_count * per_thread
    assert len(codes) == 2 * total and len(set(codes)) == 2 * total
    assert sorted(c for c in codes if c.startswith("HT")) == [f"HT-202611-{n:04d}" for n in range(1, total + 1)]
    assert sorted(c for c in codes if c.startswith("XS-BJ")) == [f"XS-BJ-{n:04d}" for n in range(1, total // 2 + 1)]


# ---- rule_save ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rule_save_creates_and_changes_with_audit(admin_user):
    saved = numbering.rule_save(actor=admin_user, doc_type="contract", name="销售合同", pattern="XSHT{date:%Y%m}{seq:5}", reset="monthly")
    assert AuditLog.objects.filter(action="create", object_id=saved.pk).exists()
    numbering.next_code("contract", when=NOV)
    numbering.rule_save(actor=admin_user, doc_type="contract", name="销售合同", pattern="HT{date:%Y%m}{seq:5}", reset="monthly")
    entry = AuditLog.objects.get(action="update", object_id=saved.pk)
    assert entry.changes["pattern"] == ["XSHT{date:%Y%m}{seq:5}", "HT{date:%Y%m}{seq:5}"]
    # The counter carries on, so the new pattern cannot hand out a number already used.
    assert numbering.next_code("contract", when=NOV) == "HT20261100002"


@pytest.mark.django_db
@pytest.mark.parametrize("kwargs, field", [
    ({"pattern": "HT-{seq:4}", "reset": "monthly"}, "pattern"),
    ({"pattern": "HT-{foo}-{seq:4}", "reset": "never"}, "pattern"),
    ({"pattern": "HT-{seq:4}", "reset": "weekly"}, "reset"),
    ({"pattern": "HT-{seq:4}", "reset": "never", "name": ""}, "name"),
])
def test_rule_save_refuses_bad_rules(admin_user, kwargs, field):
    rule("contract", "HT-{date:%Y%m}-{seq:4}", "monthly")
    data = {"name": "合同", **kwargs}
    with pytest.raises(ValidationError) as exc:
        numbering.rule_save(actor=admin_user, doc_type="contract", **data)
    assert field in exc.value.message_dict
    assert NumberingRule.objects.get(doc_type="contract").pattern == "HT-{date:%Y%m}-{seq:4}"
    assert not AuditLog.objects.exists()


@pytest.mark.django_db
def test_rule_save_needs_an_administrator():
    rule("contract", "HT-{date:%Y%m}-{seq:4}", "monthly")
    for user in (make_user(), make_user(is_staff=True)):
        with pytest.raises(PermissionDenied):
            numbering.rule_save(actor=user, doc_type="contract", name="x", pattern="X{seq:3}", reset="never")
    assert NumberingRule.objects.get(doc_type="contract").pattern == "HT-{date:%Y%m}-{seq:4}"


# ---- page --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_rules_page_lists_every_document_type(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("core:numbering_list")).content.decode()
    for doc_type in numbering.DOC_TYPES:
        assert f"<code>{doc_type}</code>" in html
    assert not NumberingRule.objects.exists()  # looking changes nothing


@pytest.mark.django_db
def test_edit_with_live_preview_and_save(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("core:numbering_list"), {"edit": "customer"}).content.decode()
    assert 'value="KH{date:%Y%m}{seq:4}"' in html and "rule-preview" in html
    preview = client.post(reverse("core:numbering_preview"), {"pattern": "KH-{region}{level}-{seq:5}", "reset": "never"},
                          HTTP_HX_REQUEST="true")
    assert preview.status_code == 200 and "KH-BJA-00001" in preview.content.decode()
    bad = client.post(reverse("core:numbering_preview"), {"pattern": "KH-{nope}", "reset": "never"}, HTTP_HX_REQUEST="true")
    assert "Unknown placeholder {nope}." in bad.content.decode()
    response = client.post(reverse("core:numbering_update", args=["customer"]),
                           {"name": "客户", "pattern": "KH-{region}{level}-{seq:5}", "reset": "never"})
    assert response.status_code == 302
    assert NumberingRule.objects.get(doc_type="customer").pattern == "KH-{region}{level}-{seq:5}"


@pytest.mark.django_db
def test_invalid_rule_on_the_page_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    url = reverse("core:numbering_update", args=["contract"])
    response = client.post(url, {"name": "合同", "pattern": "HT-{seq:4}", "reset": "monthly"})
    assert response.status_code == 400 and "invalid-feedback" in response.content.decode()
    response = client.post(url, {"name": "合同", "pattern": "HT-{seq:4", "reset": "never"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not NumberingRule.objects.exists()
    assert client.get(reverse("core:numbering_list"), {"edit": "nope"}).status_code == 404
    assert client.post(reverse("core:numbering_update", args=["nope"]), {"name": "x", "pattern": "X{seq:3}", "reset": "never"}).status_code == 404


@pytest.mark.django_db
def test_others_get_403_on_the_rules_pages_and_change_nothing(client):
    rule("contract", "HT-{date:%Y%m}-{seq:4}", "monthly")
    for user in (make_user(), make_user(is_staff=True)):
        client.force_login(user)
        assert client.get(reverse("core:numbering_list")).status_code == 403
        assert client.get(reverse("core:numbering_list"), {"edit": "contract"}).status_code == 403
        assert client.post(reverse("core:numbering_preview"), {"pattern": "X{seq:3}", "reset": "never"}).status_code == 403
        response = client.post(reverse("core:numbering_update", args=["contract"]), {"name": "x", "pattern": "X{seq:3}", "reset": "never"})
        assert response.status_code == 403
    assert NumberingRule.objects.get(doc_type="contract").pattern == "HT-{date:%Y%m}-{seq:4}"
    assert not AuditLog.objects.exists()

"""vCard export: checked with a strict parser written from RFC 2426 / RFC 6350 (no vobject here),
which itself is first checked against the RFC's own example."""

import re
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.models import AuditLog
from core.testing import make_role, make_user
from customers.models import Contact, ContactDate
from customers.vcard import contact_vcard, split_name, vcards
from org.models import FieldRule, Scope

from .followup_world import MODULE, build_world, contact_of, customer_of

NAME = re.compile(r"^(?:[A-Za-z0-9-]+\.)?[A-Za-z0-9-]+$")
ESCAPES = {"\\": "\\", "n": "\n", "N": "\n", ",": ",", ";": ";"}


class VCardError(AssertionError):
    pass


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            if i + 1 >= len(text) or text[i + 1] not in ESCAPES:
                raise VCardError(f"bad escape in {text!r}")
            out.append(ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def split_unescaped(text: str, sep: str) -> list[str]:
    parts, current, i = [], [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if text[i] == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(text[i])
        i += 1
    parts.append("".join(current))
    return parts


def parse_line(line: str) -> tuple[str, dict, str]:
    in_quotes, colon = False, None
    for i, ch in enumerate(line):
        if ch == '"':
            in_quotes = not in_quotes
        elif ch == ":" and not in_quotes:
            colon = i
            break
    if colon is None:
        raise VCardError(f"no value in {line!r}")
    head, value = line[:colon], line[colon + 1:]
    name, *raw_params = head.split(";")
    if not NAME.match(name):
        raise VCardError(f"bad property name {name!r}")
    params = {}
    for raw in raw_params:
        key, eq, val = raw.partition("=")
        if not eq or not NAME.match(key):
            raise VCardError(f"bad parameter {raw!r}")
        params[key.upper()] = [v.strip('"') for v in val.split(",")]
    return name.upper().split(".")[-1], params, value


def parse(data: bytes) -> list[dict]:
    """Cards as {NAME: [(params, raw value), …]}; raises on anything RFC 6350 §3 forbids."""
    if not data.endswith(b"\r\n"):
        raise VCardError("the file must end with CRLF")
    physical = data[:-2].split(b"\r\n")
    lines: list[str] = []
    for raw in physical:
        if b"\n" in raw or b"\r" in raw:
            raise VCardError("bare CR or LF")
        if len(raw) > 75:
            raise VCardError(f"line longer than 75 octets: {len(raw)}")
        text = raw.decode("utf-8")  # also proves no multi-octet character was split by folding
        if text[:1] in (" ", "\t"):
            if not lines:
                raise VCardError("continuation without a line")
            lines[-1] += text[1:]
        else:
            lines.append(text)
    cards, card, previous = [], None, None
    for line in lines:
        name, params, value = parse_line(line)
        if name == "BEGIN":
            if card is not None or value.upper() != "VCARD":
                raise VCardError("nested or bad BEGIN")
            card, previous = {}, "BEGIN"
            continue
        if card is None:
            raise VCardError(f"{name} outside a card")
        if previous == "BEGIN" and name != "VERSION":
            raise VCardError("VERSION must follow BEGIN")
        previous = name
        if name == "END":
            version = card["VERSION"][0][1]
            required = {"FN"} | ({"N"} if version == "3.0" else set())
            if version not in ("3.0", "4.0") or not required <= set(card):
                raise VCardError(f"card lacks {required - set(card)}")
            cards.append(card)
            card = None
            continue
        card.setdefault(name, []).append((params, value))
    if card is not None:
        raise VCardError("card not ended")
    return cards


def text(card, name) -> str:
    return unescape(card[name][0][1])


def structured(card, name) -> list[str]:
    return [unescape(p) for p in split_unescaped(card[name][0][1], ";")]


RFC6350_EXAMPLE = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Simon Perreault\r\nN:Perreault;Simon;;;ing. jr,M.Sc.\r\n"
    "BDAY:--0203\r\nANNIVERSARY:20090808T1430-0500\r\nGENDER:M\r\nLANG;PREF=1:fr\r\nLANG;PREF=2:en\r\n"
    "ORG;TYPE=work:Viagenie\r\nADR;TYPE=work:;Suite D2-630;2875 Laurier;\r\n Quebec;QC;G1V 2M2;Canada\r\n"
    'TEL;VALUE=uri;TYPE="work,voice";PREF=1:tel:+1-418-656-9254;ext=102\r\n'
    'TEL;VALUE=uri;TYPE="work,cell,voice,video,text":tel:+1-418-262-6501\r\n'
    "EMAIL;TYPE=work:simon.perreault@viagenie.ca\r\n"
    "GEO;TYPE=work:geo:46.772673,-71.282945\r\nKEY;TYPE=work;VALUE=uri:\r\n http://www.viagenie.ca/simon.perreault/simon.asc\r\n"
    "TZ:-0500\r\nURL;TYPE=home:http://nomis80.org\r\nEND:VCARD\r\n"
)


def test_the_parser_reads_the_rfc_6350_example_and_refuses_broken_cards():
    card = parse(RFC6350_EXAMPLE.encode())[0]
    assert text(card, "FN") == "Simon Perreault"
    assert structured(card, "N")[:2] == ["Perreault", "Simon"]
    assert structured(card, "ADR")[3] == "Quebec"
    assert card["TEL"][0][0]["TYPE"] == ["work", "voice"]
    for broken in ("BEGIN:VCARD\r\nFN:x\r\nVERSION:4.0\r\nEND:VCARD\r\n",  # VERSION not first
                   "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n",  # 3.0 without N
                   "BEGIN:VCARD\nVERSION:4.0\nFN:x\nEND:VCARD\n",  # LF only
                   "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:" + "x" * 80 + "\r\nEND:VCARD\r\n"):  # not folded
        with pytest.raises(VCardError):
            parse(broken.encode())
    with pytest.raises(VCardError):
        unescape("a\\tb")


@pytest.mark.parametrize("name, parts", [
    ("张伟", ("张", "伟")), ("欧阳娜娜", ("欧阳", "娜娜")), ("司马光", ("司马", "光")), ("王", ("王", "")),
    ("Anna Li", ("Li", "Anna")), ("Madonna", ("", "Madonna")),
])
def test_names_split_into_family_and_given(name, parts):
    assert split_name(name) == parts


@pytest.fixture
def full_contact(db):
    seller = make_user("seller")
    customer = customer_of(seller, "上海明远精密机械有限公司")
    contact = contact_of(customer, "欧阳娜娜", title="采购部经理", department_name="采购部", mobile="13812345678",
                         phone="021-68888888转123", email="nana@mingyuan.cn", wechat="nana_oy", gender="female",
                         birthday=date(1985, 3, 8), decision_role="decision_maker",
                         notes="喜欢喝普洱茶，\n周一上午不方便; 注意\\保密")
    ContactDate.objects.create(contact=contact, label="结婚纪念日", date=date(2012, 10, 1))
    return Contact.objects.select_related("customer").get(pk=contact.pk)


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_a_full_contact_round_trips(full_contact, version):
    data = contact_vcard(full_contact, version=version).encode("utf-8")
    (card,) = parse(data)
    assert card["VERSION"][0][1] == version
    assert text(card, "FN") == "欧阳娜娜" and structured(card, "N")[:2] == ["欧阳", "娜娜"]
    assert structured(card, "ORG") == ["上海明远精密机械有限公司", "采购部"]
    assert text(card, "TITLE") == "采购部经理"
    tels = {tuple(t.lower() for t in params["TYPE"]): unescape(value) for params, value in card["TEL"]}
    assert tels[("cell",)] == "13812345678" and tels[("work", "voice")] == "021-68888888转123"
    assert text(card, "EMAIL") == "nana@mingyuan.cn"
    assert text(card, "BDAY") == ("1985-03-08" if version == "3.0" else "19850308")
    note = text(card, "NOTE")
    assert note.startswith("喜欢喝普洱茶，\n周一上午不方便; 注意\\保密")
    assert "nana_oy" in note and "结婚纪念日: 2012-10-01" in note
    assert ("GENDER" in card) == (version == "4.0")
    assert text(card, "UID").startswith("urn:uuid:")


def test_escaping_folding_and_stable_uids(full_contact):
    full_contact.name = "Li, Anna; \\ Jr"
    full_contact.notes = "很长的备注" * 40
    data = contact_vcard(full_contact).encode()
    assert max(len(line) for line in data.split(b"\r\n")) <= 75 and b"\r\n " in data
    (card,) = parse(data)
    assert text(card, "FN") == "Li, Anna; \\ Jr"
    assert text(card, "NOTE").startswith("很长的备注" * 40)
    other = contact_of(full_contact.customer, "李娜")
    first, second = parse(vcards([full_contact, Contact.objects.get(pk=other.pk)]).encode())
    assert text(first, "UID") == text(parse(contact_vcard(full_contact).encode())[0], "UID")
    assert text(first, "UID") != text(second, "UID")


def test_hidden_fields_stay_out_of_the_card(full_contact):
    data = contact_vcard(full_contact, hidden={"mobile", "phone", "notes", "birthday"}).encode()
    (card,) = parse(data)
    assert "TEL" not in card and "BDAY" not in card
    assert "喜欢" not in text(card, "NOTE") and b"13812345678" not in data


# ---- the pages -----------------------------------------------------------------------------------

@pytest.fixture
def world(db):
    return build_world()


def export_entries():
    return AuditLog.objects.filter(action="export", content_type=ContentType.objects.get_for_model(Contact))


def test_one_contact_downloads_as_vcard_and_is_audited(world, client):
    contact = contact_of(world.mine, "张伟", mobile="13900001111")
    client.force_login(world.seller)
    response = client.get(reverse("customers:contact_vcard", args=[contact.pk]) + "?v=4")
    assert response.status_code == 200 and response["Content-Type"] == "text/vcard; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    (card,) = parse(response.content)
    assert text(card, "FN") == "张伟" and card["VERSION"][0][1] == "4.0"
    entry = export_entries().get()
    assert entry.actor == world.seller and entry.object_id == contact.pk


def test_a_customers_contacts_and_a_selection(world, client):
    a, b = contact_of(world.mine, "张伟"), contact_of(world.mine, "李娜")
    contact_of(customer_of(world.seller, "杭州云栖科技有限公司"), "王芳")
    client.force_login(world.seller)
    url = reverse("customers:contact_vcard_list")
    cards = parse(client.get(url, {"customer": world.mine.pk}).content)
    assert sorted(text(c, "FN") for c in cards) == ["张伟", "李娜"]
    cards = parse(client.get(url, {"customer": world.mine.pk, "ids": str(b.pk)}).content)
    assert [text(c, "FN") for c in cards] == ["李娜"]
    assert len(parse(client.get(url, {"q": "王芳"}).content)) == 1
    entry = export_entries().order_by("id").first()
    assert entry.changes["rows"] == 2 and set(entry.changes["ids"]) == {a.pk, b.pk}


def test_outside_the_scope_no_card_is_given(world, client):
    theirs = contact_of(world.theirs, "赵强", mobile="13711112222")
    client.force_login(world.seller)
    assert client.get(reverse("customers:contact_vcard", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("customers:contact_vcard_list"), {"customer": world.theirs.pk}).status_code == 404
    response = client.get(reverse("customers:contact_vcard_list"), {"ids": str(theirs.pk)})
    assert response.status_code == 200 and response.content == b""
    # No export permission at all: refused.
    reader = make_user(roles=[make_role(grants={MODULE: {"read": Scope.ALL}})])
    client.force_login(reader)
    assert client.get(reverse("customers:contact_vcard", args=[theirs.pk])).status_code == 403
    assert client.get(reverse("customers:contact_vcard_list")).status_code == 403
    assert not export_entries().filter(object_id=theirs.pk).exists()


def test_hidden_fields_are_left_out_of_the_download(world, client):
    contact_of(world.mine, "张伟", mobile="13900001111")
    FieldRule.objects.create(role=world.seller.roles.get(), module="customers.contact", field="mobile", mode="hidden")
    client.force_login(world.seller)
    response = client.get(reverse("customers:contact_vcard_list"), {"customer": world.mine.pk})
    (card,) = parse(response.content)
    assert "TEL" not in card and b"13900001111" not in response.content


def test_the_contact_list_offers_vcards_of_the_ticked_rows(world, client):
    a = contact_of(world.mine, "张伟")
    contact_of(world.mine, "李娜")
    url = reverse("customers:contact_vcard_list")
    client.force_login(world.seller)
    html = client.get(reverse("customers:contact_list")).content.decode()
    assert f'data-zg-batch-link="{url}"' in html
    # The batch bar may also post the selection.
    response = client.post(url, {"ids": [str(a.pk)], "v": "4.0"})
    (card,) = parse(response.content)
    assert text(card, "FN") == "张伟" and card["VERSION"][0][1] == "4.0"
    reader = make_user(roles=[make_role(grants={MODULE: {"read": Scope.ALL}})])
    client.force_login(reader)
    assert f'data-zg-batch-link="{url}"' not in client.get(reverse("customers:contact_list")).content.decode()


def test_api_vcard_needs_the_contact_in_the_export_scope(client, db):
    """Reading a contact is not enough to export it: outside the export scope the vCard is not found."""
    from core.testing import make_department, make_role, make_user
    from customers.models import Contact, Customer
    from org.models import Scope

    dept = make_department("华东")
    role = make_role(grants={"customers.customer": {"read": Scope.ALL, "export": Scope.OWN}})
    reader = make_user("reader", department=dept, roles=[role])
    owner = make_user("owner", department=dept)
    customer = Customer.objects.create(name="别人的客户", owner=owner, department=dept)
    contact = Contact.objects.create(customer=customer, name="李四", mobile="13900001111")
    client.force_login(reader)
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    resp = client.get(f"/api/v1/contacts/{contact.pk}/vcard/")
    assert resp.status_code == 404 and b"BEGIN:VCARD" not in resp.content

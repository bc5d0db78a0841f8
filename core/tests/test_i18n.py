"""The Chinese UI is complete (no English left on its pages) and the English UI has no Chinese."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from core.testing import make_department, make_role, make_user

pytestmark = pytest.mark.django_db

PAGES = [
    "core:home", "core:search", "core:notifications", "core:audit_log", "core:recycle_bin", "core:job_list",
    "customers:customer_list", "customers:customer_create", "customers:contact_list",
    "org:department_list", "org:department_create", "org:user_list", "org:user_create", "org:role_list",
    "org:role_create", "org:profile", "org:password_change", "org:login_history", "org:security_policy",
    "core:lookup_list", "core:numbering_list", "core:customfield_list",
]
# Words that are the same in both languages (product and technical names), and the test's own data.
ALLOWED = {"Alt", "Ctrl", "Esc", "CRM", "API", "CSV", "Excel", "IP", "TOTP", "URL", "CIDR", "OR", "AND", "vCard", "HTTP", "ICP",
           "boss", "zhangsan", "sales", "KH", "HT", "YYYY", "MM", "DD", "seq", "date", "region", "level", "prefix", "FORMAT",
           "Google", "Authenticator", "Microsoft", "Chrome", "Zhanggui", "English"}


class TextOf(HTMLParser):
    """Visible text plus the attributes people read (placeholders, titles, labels for screen readers)."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        # Codes (document types, numbering patterns) and key names are the same in every language;
        # the options of selects are data (regions, basic-data lists) in the company's own words.
        if tag in ("script", "style", "code", "kbd", "option"):
            self._skip += 1
        for name, value in attrs:
            if name in ("placeholder", "title", "aria-label", "data-confirm") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code", "kbd", "option"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = TextOf()
    parser.feed(html)
    return " ".join(parser.parts)


@pytest.fixture
def boss(db):
    dept = make_department("总经办")
    make_role("sales", name="业务员")
    return make_user("boss", department=dept, superuser=True, last_name="王", first_name="总")


@pytest.mark.parametrize("name", PAGES)
def test_chinese_pages_have_no_english_left(client, boss, name):
    client.force_login(boss)
    resp = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert resp.status_code == 200
    words = set(re.findall(r"[A-Za-z]{2,}", visible_text(resp.content.decode())))
    assert words - ALLOWED == set()


def test_login_page_is_chinese(client):
    resp = client.get(reverse("org:login"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = visible_text(resp.content.decode())
    assert "登录" in text
    assert set(re.findall(r"[A-Za-z]{2,}", text)) - ALLOWED == set()


@pytest.mark.parametrize("name", PAGES)
def test_english_pages_have_no_chinese(client, boss, name):
    client.force_login(boss)
    resp = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200
    text = visible_text(resp.content.decode())
    # The brand 掌柜, the language switch 简体中文 and the test's own data may stay Chinese.
    for allowed in ("掌柜", "简体中文", "总经办", "王总", "王", "业务员"):
        text = text.replace(allowed, "")
    assert re.findall(r"[\u4e00-\u9fff]+", text) == []


def test_translation_catalogue_is_complete():
    from pathlib import Path

    po = (Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if re.search(r'^msgstr(\[0\])? ""\n?$', e, re.M) and not re.search(r'^"', e.split("msgstr", 1)[1], re.M)]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_numbers_are_grouped_by_thousands_in_both_languages(language):
    """Django's zh_Hans groups nothing ("1000000"); zhanggui.formats groups by thousands as Chinese
    business software does, and leaves dates in Django's Chinese forms."""
    import datetime

    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.template.defaultfilters import floatformat
    from django.utils import formats, translation

    with translation.override(language):
        assert intcomma(1234567) == "1,234,567"
        assert floatformat("1234567.5", "2g") == "1,234,567.50"
        if language == "zh-hans":
            assert formats.date_format(datetime.date(2026, 9, 5)) == "2026年9月5日"

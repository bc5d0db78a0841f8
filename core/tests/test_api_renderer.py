"""The API's JSON renderer (orjson) writes what DRF's own JSON renderer writes: the same bytes, but for
how a float's exponent is spelled (1e-08 / 1e-8), which reads back as the same number."""

import datetime
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.renderers import JSONRenderer

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet=st.characters(codec="utf-8")) | st.sampled_from(["北京华盛电子有限公司", "a\u2028b\u2029c", "\"\\/"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**9, max_value=10**9),
    st.datetimes(timezones=st.sampled_from([datetime.UTC, SHANGHAI])), st.dates(), st.times(), st.uuids(),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8) | st.integers(min_value=-5, max_value=5), inner, max_size=4), max_leaves=20)


def _both(data, media_type="application/json"):
    return JSONRenderer().render(data, media_type), renderers.JSONRenderer().render(data, media_type)


@settings(max_examples=300, deadline=None)
@given(values)
def test_same_json_as_drf(data):
    ours, drf = _both(data)
    assert (json.loads(ours) if ours else None) == (json.loads(drf) if drf else None)
    if not _has_float(data):
        assert ours == drf


def _has_float(data) -> bool:
    if isinstance(data, float):
        return True
    if isinstance(data, dict):
        return any(_has_float(v) for v in data.values())
    return isinstance(data, list) and any(_has_float(v) for v in data)


def test_serializer_containers_lazy_text_sets_and_big_numbers():
    data = ReturnDict({"results": ReturnList([{"name": gettext_lazy("Customers"), "ids": {3}}], serializer=None),
                       "big": 2**70, "amount": decimal.Decimal("12.50"), "id": uuid.UUID(int=7),
                       "at": datetime.datetime(2026, 11, 23, 8, 30, 1, 123456, tzinfo=datetime.UTC)}, serializer=None)
    ours, drf = _both(data)
    assert ours == drf
    assert b'"at":"2026-11-23T08:30:01.123456Z"' in ours or b'"at":"2026-11-23T08:30:01.123Z"' in ours


def test_indent_asked_for_still_indents():
    ours, drf = _both({"a": [1, 2]}, "application/json; indent=2")
    assert ours == drf and b"\n" in ours

"""Date-times in API output (core.api.serializers._converter): the same text DRF's own DateTimeField
writes, with the current time zone looked up once per serializer."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from core.api.serializers import _converter

VALUES = [
    datetime.datetime(2026, 11, 23, 3, 4, 5, tzinfo=datetime.UTC),
    datetime.datetime(2026, 11, 23, 23, 59, 59, 123456, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
]


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "America/New_York"])
def test_the_text_is_drfs_own_in_every_time_zone(zone):
    field = serializers.DateTimeField()
    with timezone.override(zone):
        convert = _converter(field)
        assert convert is not field.to_representation
        for value in VALUES:
            assert convert(value) == field.to_representation(value)
    with timezone.override("UTC"):
        assert _converter(field)(VALUES[0]) == "2026-11-23T03:04:05Z"


def test_fields_with_their_own_format_or_zone_keep_drfs_path():
    for field in (serializers.DateTimeField(format="%Y-%m-%d"),
                  serializers.DateTimeField(default_timezone=zoneinfo.ZoneInfo("UTC")),
                  serializers.CharField()):
        assert _converter(field) == field.to_representation
    naive = datetime.datetime(2026, 11, 23, 8, 0)
    field = serializers.DateTimeField()
    assert _converter(field)(naive) == field.to_representation(naive)

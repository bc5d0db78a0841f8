"""Audit entries and versions written in bulk (core.audit.log_rows / record_version_rows) read back as
the values given, Chinese text, nesting and empty values included."""

import pytest
from django.contrib.auth import get_user_model

from core import audit
from core.models import AuditLog, Version
from core.testing import make_user

pytestmark = pytest.mark.django_db


def test_bulk_rows_read_back_as_given():
    actor = make_user("alice")
    User = get_user_model()
    changes = {"name": ["", "北京华盛电子有限公司"], "tags": [[], [1, 2]], "custom": {"等级": "甲", "n": None}}
    data = {"id": actor.pk, "name": "北京华盛电子有限公司", "amount": "100.00", "custom": {}, "flag": True, "note": "a\"b\\c\n"}
    assert audit.log_rows(actor=actor, action=audit.Action.CREATE, model=User,
                          entries=[(actor.pk, "alice", changes), (actor.pk, "alice", None)]) == 2
    assert audit.record_version_rows(model=User, actor=actor, rows=[(actor.pk, 1, data)]) == 1
    logs = list(AuditLog.objects.filter(object_id=actor.pk).order_by("id").values_list("changes", flat=True))
    assert logs[-2:] == [changes, {}]
    assert Version.objects.get(object_id=actor.pk, number=1).data == data

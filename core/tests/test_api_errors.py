"""Every API error has one shape: {"error": {"code", "message", "fields"}}."""

import pytest
from rest_framework.test import APIClient

from core.testing import full_grants, make_role, make_user
from customers.models import Customer
from org.models import Scope

pytestmark = pytest.mark.django_db
URL = "/api/v1/customers/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def client():
    api = APIClient()
    api.force_authenticate(make_user(roles=[make_role(grants=full_grants("customers.customer", Scope.ALL))]))
    return api


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "fields"} <= set(body["error"])
    assert body["error"]["message"]
    return body["error"]


def test_401_without_credentials():
    error = error_of(APIClient().get(URL), 401)
    assert error["code"] == "not_authenticated"


def test_401_with_a_bad_token():
    error = error_of(APIClient().get(URL, HTTP_AUTHORIZATION="Token nonsense"), 401)
    assert error["code"] == "authentication_failed"


def test_403_for_a_non_admin_on_admin_endpoints():
    api = APIClient()
    api.force_authenticate(make_user())
    assert error_of(api.get("/api/v1/departments/"), 403)["code"] == "permission_denied"


def test_404_and_405(client):
    assert error_of(client.get(f"{URL}999999/"), 404)["code"] == "not_found"
    assert error_of(client.put(URL, {}, format="json"), 405)["code"] == "method_not_allowed"


@pytest.mark.parametrize("raw", ['{"op": "and", "rules": [', '["not", "an", "object"]',
                                 '{"op": "xor", "rules": []}', '{"op": "and", "rules": [{"field": "nope", "operator": "eq", "value": 1}]}',
                                 '{"op": "and", "rules": [{"field": "name", "operator": "like", "value": "x"}]}'])
def test_malformed_filter_is_400(client, raw):
    Customer.objects.create(name="甲")
    error = error_of(client.get(URL, {"filter": raw}), 400)
    assert error["code"] == "invalid" and "filter" in error["fields"]


def test_bad_exact_filter_and_ordering_are_400(client):
    assert "status" in error_of(client.get(URL, {"status": "nonsense"}), 400)["fields"]
    assert "amount" in error_of(client.get(URL, {"amount": "lots"}), 400)["fields"]
    assert "ordering" in error_of(client.get(URL, {"ordering": "no_such_field"}), 400)["fields"]


def test_validation_error_fields_are_flat(client):
    error = error_of(client.post(URL, {"name": "x" * 500, "amount": "abc"}, format="json"), 400)
    assert set(error["fields"]) == {"name", "amount"}
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_endpoint_is_a_json_404(client, method):
    error = error_of(getattr(client, method)("/api/v1/no-such-thing/"), 404)
    assert error["code"] == "not_found"
    assert client.get("/api/v1/customers").status_code == 301  # the usual slash redirect still works


def test_exact_filters_filter_and_unknown_parameters_change_nothing(client):
    """The filter class is made once per UI and hidden fields; the same request twice filters alike, and
    a page with only paging parameters (no filter class at all) lists every row."""
    Customer.objects.create(name="甲", status="potential")
    Customer.objects.create(name="乙", status="deal")
    for _ in range(2):
        assert [row["name"] for row in client.get(URL, {"status": "deal"}).json()["results"]] == ["乙"]
    assert {row["name"] for row in client.get(URL, {"page_size": 50}).json()["results"]} == {"甲", "乙"}
    assert {row["name"] for row in client.get(URL, {"no_such": "x"}).json()["results"]} == {"甲", "乙"}
    assert "status" in error_of(client.get(URL, {"status": "nonsense"}), 400)["fields"]

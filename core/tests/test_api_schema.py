"""The OpenAPI schema generates without warnings and is OpenAPI 3."""

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_is_valid_openapi_3_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in ("/api/v1/customers/", "/api/v1/customers/{id}/", "/api/v1/contacts/", "/api/v1/departments/",
                 "/api/v1/users/{id}/leave/", "/api/v1/roles/", "/api/v1/me/", "/api/v1/recycle-bin/", "/api/v1/auth/token/"):
        assert path in paths
    names = {p["name"] for p in paths["/api/v1/customers/"]["get"]["parameters"]}
    assert {"filter", "ordering", "search", "page", "page_size", "status"} <= names
    assert "If-Match" in {p["name"] for p in paths["/api/v1/customers/{id}/"]["patch"]["parameters"]}

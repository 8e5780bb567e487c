"""The OpenAPI schema (drf-spectacular) builds, validates, and has no warnings."""

from django.core.management import call_command


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    text = target.read_text()
    assert "/api/v1/laporan/{id}/approve/" in text and "/api/v1/layanan/" in text

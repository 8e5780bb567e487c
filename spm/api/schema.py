"""What the OpenAPI schema says about refusals: every answer the API can give besides 200, in one place.

drf-spectacular documents the successful answer of each operation; this hook adds the refusals DRF gives for
every view (400 on a filter or body it cannot read, 403 without a login or outside the role, 404 outside the
user's scope or past the last page, 429 when throttled), so an integrator, and the API fuzz test, can hold the
API to its contract. Answers only some operations give (409 on a workflow action) are declared on the action.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import APIException

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

SCHEMAS = {
    ERROR: {
        "type": "object",
        "description": "Penolakan dengan alasannya dalam Bahasa Indonesia.",
        "properties": {"detail": {"type": "string", "readOnly": True}},
        "required": ["detail"],
    },
    VALIDATION_ERROR: {
        "type": "object",
        "description": (
            "Isian atau parameter yang tidak dapat dibaca: nama isian → daftar pesan (Bahasa Indonesia); "
            "kesalahan yang tidak terkait satu isian ada di non_field_errors."
        ),
        "additionalProperties": {},
    },
}

DESCRIPTIONS = {
    "400": "Parameter atau isian tidak valid.",
    "403": "Belum masuk, atau peran Anda tidak boleh melakukan ini.",
    "404": "Tidak ditemukan di lingkup Anda (atau halaman melewati halaman terakhir).",
    "409": "Keadaan data tidak memungkinkan tindakan ini.",
    "415": "Jenis isi permintaan tidak didukung (kirim application/json).",
    "429": "Terlalu banyak permintaan; coba lagi nanti.",
}


class Conflict(APIException):
    """The request is well-formed and allowed, but the object's state forbids it now (HTTP 409)."""

    status_code = 409
    default_detail = _("Keadaan data tidak memungkinkan tindakan ini.")
    default_code = "conflict"


class ErrorSerializer(serializers.Serializer):
    """A refusal: DRF's ``{"detail": "..."}`` (component ``Error``)."""

    detail = serializers.CharField(read_only=True)


def error_response(status: str) -> OpenApiResponse:
    """The documented refusal of one status code, for ``@extend_schema(responses=...)`` on an action."""
    return OpenApiResponse(response=ErrorSerializer, description=DESCRIPTIONS[status])


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(status: str, schema: str) -> dict:
    return {"description": DESCRIPTIONS[status], "content": {"application/json": {"schema": _ref(schema)}}}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: declare the refusals of every operation (see the module doc)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in SCHEMAS.items():
        components.setdefault(name, schema)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            query = [p for p in parameters if p.get("in") == "query"]
            for parameter in query:
                if parameter["name"] != "page":
                    parameter["allowEmptyValue"] = True  # an empty filter means "no filter", as in the forms
            if any(p["name"] != "page" for p in query) or "requestBody" in operation:
                responses.setdefault("400", _answer("400", VALIDATION_ERROR))
            if {} not in operation.get("security", [{}]):
                responses.setdefault("403", _answer("403", ERROR))
            if any(p.get("in") == "path" for p in parameters) or any(p["name"] == "page" for p in query):
                responses.setdefault("404", _answer("404", ERROR))
            responses.setdefault("429", _answer("429", ERROR))
    return result

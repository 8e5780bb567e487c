"""Admin of recipient data: read-mostly views of imports, recipients (NIK masked in lists) and the export log.

Imported at the bottom of ``reporting/admin.py``. Writes go through the services: the admin neither adds
recipients nor edits imports; its export of recipients (django-import-export) is recorded in ExportLog.
"""

from __future__ import annotations

from django.contrib import admin
from import_export.admin import ExportMixin

from reporting.choices import ExportKind
from reporting.models import ExportLog, Recipient, RecipientImport
from reporting.recipients.services import log_export
from reporting.recipients.validation import mask_nik
from reporting.resources import RecipientResource
from spm.xlsx import SAFE_FORMATS


@admin.register(RecipientImport)
class RecipientImportAdmin(admin.ModelAdmin):
    list_display = ["id", "original_name", "service", "region", "year", "mode", "status", "rows_read", "created_at"]
    list_filter = ["status", "mode", "year"]
    list_select_related = ["service", "region"]
    search_fields = ["original_name", "service__code", "region__code", "region__name"]
    raw_id_fields = ["region", "service", "created_by", "committed_by"]
    readonly_fields = [field.name for field in RecipientImport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Recipient)
class RecipientAdmin(ExportMixin, admin.ModelAdmin):
    resource_classes = [RecipientResource]
    formats = SAFE_FORMATS  # personal data: formula-like names leave as text
    list_display = ["id", "masked_nik", "service", "region", "year", "quarter", "status"]
    list_filter = ["year", "quarter", "status"]
    list_select_related = ["service", "region"]
    search_fields = ["=nik"]  # exact NIK only: no browsing by partial personal data
    raw_id_fields = ["region", "service", "district", "source_import"]
    show_full_result_count = False

    @admin.display(description="NIK")
    def masked_nik(self, obj: Recipient) -> str:
        return mask_nik(obj.nik)

    def has_add_permission(self, request) -> bool:
        return False

    def get_export_data(self, file_format, request, queryset, **kwargs):
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        log_export(
            user=request.user,
            kind=ExportKind.RECIPIENTS_ADMIN,
            region=None,
            filters={"admin": True, "format": type(file_format).__name__},
            row_count=queryset.count(),
        )
        return data


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "region", "row_count"]
    list_filter = ["kind"]
    list_select_related = ["user", "region"]
    readonly_fields = ["user", "kind", "region", "filters", "row_count", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an audit record

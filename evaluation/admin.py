"""Admin of the provincial evaluation: read for support; every change goes through ``evaluation.services``."""

from django.contrib import admin

from evaluation.models import AnnualEvaluation, CorrectionRequest, CorrectionTransition


class CorrectionTransitionInline(admin.TabularInline):
    model = CorrectionTransition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "comment", "created_at"]
    fields = readonly_fields


@admin.register(CorrectionRequest)
class CorrectionRequestAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "quarter", "kind", "status", "created_at"]
    list_filter = ["status", "kind", "year", "quarter"]
    list_select_related = ["region"]
    raw_id_fields = ["region", "report", "created_by"]
    readonly_fields = ["status", "answer", "answered_at", "closed_at", "created_at"]
    inlines = [CorrectionTransitionInline]


@admin.register(AnnualEvaluation)
class AnnualEvaluationAdmin(admin.ModelAdmin):
    list_display = ["region", "year", "updated_by", "updated_at"]
    list_filter = ["year"]
    list_select_related = ["region", "updated_by"]
    raw_id_fields = ["region", "updated_by"]

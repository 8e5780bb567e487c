"""Django admin of the reporting app: periods editable (through the services, so every change is logged);
reports and their audit trail (transitions, figure changes, comments, notifications) read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from reporting.choices import PeriodStatus
from reporting.models import (
    Evidence,
    FieldChange,
    Notification,
    PeriodEvent,
    QuarterlyReport,
    ReportingPeriod,
    ReportTransition,
    ReviewComment,
)
from reporting.services import period_close, period_reopen, period_set_due_date


class ReadOnlyMixin:
    """The audit trail is written by the services only; the admin shows it."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    show_change_link = True


class PeriodEventInline(ReadOnlyTabularInline):
    model = PeriodEvent
    fields = ["created_at", "action", "reason", "detail", "actor"]
    readonly_fields = fields
    show_change_link = False


class ReportingPeriodAdminForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Alasan perubahan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wajib saat membuka kembali periode yang ditutup; dicatat di riwayat periode."),
    )

    class Meta:
        model = ReportingPeriod
        fields = ["region", "year", "quarter", "opens_on", "due_date", "status"]

    def clean(self):
        data = super().clean()
        instance = self.instance
        if instance.pk:
            if data.get("due_date") and data["due_date"] < instance.opens_on:
                self.add_error("due_date", _("Batas waktu tidak boleh sebelum mulai pengisian."))
            reopening = instance.status == PeriodStatus.CLOSED and data.get("status") == PeriodStatus.OPEN
            if reopening and not (data.get("reason") or "").strip():
                self.add_error("reason", _("Alasan membuka kembali periode wajib diisi."))
        return data


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(admin.ModelAdmin):
    """Due date and status of an existing period change through ``reporting.services.periods`` (logged)."""

    form = ReportingPeriodAdminForm
    list_display = ["region", "year", "quarter", "opens_on", "due_date", "status"]
    list_filter = ["status", "year", "quarter"]
    search_fields = ["region__code", "region__name"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]
    inlines = [PeriodEventInline]

    def get_readonly_fields(self, request, obj=None):
        return ["region", "year", "quarter", "opens_on"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # reports hang on their period (PROTECT); a period is closed, never deleted

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        stored = ReportingPeriod.objects.get(pk=obj.pk)
        reason = form.cleaned_data.get("reason", "")
        if obj.due_date != stored.due_date:
            period_set_due_date(period=stored, user=request.user, due_date=obj.due_date, reason=reason)
        if obj.status != stored.status:
            if obj.status == PeriodStatus.CLOSED:
                period_close(period=stored, user=request.user, reason=reason)
            else:
                period_reopen(period=stored, user=request.user, reason=reason)
        obj.refresh_from_db()


class ReportTransitionInline(ReadOnlyTabularInline):
    model = ReportTransition
    fields = ["created_at", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields


class ReviewCommentInline(ReadOnlyTabularInline):
    model = ReviewComment
    fields = ["created_at", "anchor_label", "text", "author", "resolved_at"]
    readonly_fields = fields


class EvidenceInline(ReadOnlyTabularInline):
    model = Evidence
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ReadOnlyAdmin):
    """Reports change only through the entry and review pages (services); unlocking is on the review page."""

    list_display = ["service", "agency", "region", "period", "status", "is_late", "submitted_at", "approved_at"]
    list_filter = ["status", "is_late", "period__year", "period__quarter"]
    search_fields = ["service__code", "service__name", "agency__name", "region__code", "region__name"]
    list_select_related = ["service", "agency", "region", "period__region"]
    inlines = [ReportTransitionInline, ReviewCommentInline, EvidenceInline]


@admin.register(ReportTransition)
class ReportTransitionAdmin(ReadOnlyAdmin):
    list_display = ["report", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["report__service__code", "actor__username", "comment"]
    list_select_related = ["report__service", "report__period", "report__region", "actor"]


@admin.register(FieldChange)
class FieldChangeAdmin(ReadOnlyAdmin):
    list_display = ["report", "label", "old_value", "new_value", "actor", "created_at"]
    search_fields = ["report__service__code", "label", "actor__username"]
    list_select_related = ["report__service", "report__period", "report__region", "actor"]


@admin.register(ReviewComment)
class ReviewCommentAdmin(ReadOnlyAdmin):
    list_display = ["report", "anchor_label", "text", "author", "created_at", "resolved_at"]
    search_fields = ["report__service__code", "anchor_label", "text"]
    list_select_related = ["report__service", "report__period", "report__region", "author"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "message"]
    list_select_related = ["user"]


@admin.register(PeriodEvent)
class PeriodEventAdmin(ReadOnlyAdmin):
    list_display = ["period", "action", "reason", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["period__region__code", "period__region__name", "reason"]
    list_select_related = ["period__region", "actor"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "report__service__code"]
    list_select_related = ["report__service", "report__period", "report__region", "uploaded_by"]


from reporting.recipients import admin as recipients_admin  # noqa: E402, F401 - registers the recipient data admin

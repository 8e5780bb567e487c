"""Reporting API: reports and achievements, scoped with ``visible_to``; workflow transitions call the services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from reporting.api import serializers
from reporting.choices import ReportStatus
from reporting.filters import AchievementFilter, QuarterlyReportFilter, RecipientFilter, RecipientImportFilter
from reporting.models import Achievement, QuarterlyReport, Recipient, RecipientImport
from reporting.querysets import item_entries_with_item, quality_with_component
from reporting.services import CommentInput, ConcurrentEditError, report_approve, report_return
from spm import access
from spm.api.caching import CachedListMixin
from spm.api.schema import Conflict, error_response
from targets.selectors import must_serve_figures


def _call(fn, **kwargs):
    """Run a service and turn its Django errors into API errors (messages in Bahasa Indonesia): a refusal is
    403, someone else's newer save 409, bad input 400 as ``{field: [messages]}`` (``non_field_errors`` when the
    message names no field), the shape the schema gives every 400."""
    try:
        return fn(**kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except ConcurrentEditError as exc:
        raise Conflict(" ".join(exc.messages)) from exc
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = exc.message_dict
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        raise exceptions.ValidationError(detail) from exc


def _require_reviewable(user, report: QuarterlyReport) -> None:
    """A verifikator (or admin) acting on a report that is not awaiting review gets 409 with its status; anyone
    else is refused (403) by the service's own access check."""
    if access.can(user, "report.review_any") and not access.can(user, "report.review", report):
        if report.status != ReportStatus.SUBMITTED:
            raise Conflict(
                _("Hanya laporan berstatus diajukan yang dapat diverifikasi; laporan ini berstatus %(status)s.")
                % {"status": report.get_status_display()}
            )
        if report.period.is_closed:
            raise Conflict(_("Periode laporan ini sudah ditutup."))


# 400 (and 429) are added to every operation by spm.api.schema.add_error_responses.
WORKFLOW_RESPONSES = {
    200: serializers.QuarterlyReportSerializer,
    403: error_response("403"),
    404: error_response("404"),
    409: error_response("409"),
    415: error_response("415"),
}


class QuarterlyReportViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """Laporan triwulan in the user's scope; the verifikator approves or returns through the actions."""

    serializer_class = serializers.QuarterlyReportSerializer
    filterset_class = QuarterlyReportFilter

    def get_queryset(self):
        return (
            QuarterlyReport.objects.visible_to(self.request.user)
            .with_related()
            .prefetch_related(quality_with_component(), item_entries_with_item(), "stages")
            .order_by("period__year", "period__quarter", "service__code")
        )

    @extend_schema(
        summary="Harus dilayani laporan ini",
        responses={200: serializers.MustServeSerializer, 404: error_response("404")},
    )
    @action(detail=True, methods=["get"], url_path="harus-dilayani", serializer_class=serializers.MustServeSerializer)
    def must_serve(self, request, pk=None):
        """Harus dilayani of this report's daerah, jenis and year: the same figures as the pages show."""
        report = self.get_object()
        figures = must_serve_figures(
            region=report.region, service=report.service, year=report.period.year, reported=report.must_serve
        )
        return Response(serializers.MustServeSerializer(figures).data)

    @extend_schema(
        summary="Setujui laporan triwulan",
        request=serializers.ApproveSerializer,
        responses=WORKFLOW_RESPONSES,
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.ApproveSerializer, parser_classes=[JSONParser])
    def approve(self, request, pk=None):
        report = self.get_object()
        data = serializers.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _require_reviewable(request.user, report)
        _call(report_approve, report=report, user=request.user, comment=data.validated_data["comment"])
        return Response(serializers.QuarterlyReportSerializer(self.get_object()).data)

    @extend_schema(
        summary="Kembalikan laporan triwulan ke OPD dengan catatan",
        request=serializers.ReturnSerializer,
        responses=WORKFLOW_RESPONSES,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        serializer_class=serializers.ReturnSerializer,
        parser_classes=[JSONParser],  # nested catatan have no form encoding: JSON only, as the schema says
    )
    def return_(self, request, pk=None):
        report = self.get_object()
        data = serializers.ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _require_reviewable(request.user, report)
        comments = [CommentInput(c["anchor"], c["text"]) for c in data.validated_data["comments"]]
        _call(
            report_return, report=report, user=request.user, comments=comments, summary=data.validated_data["summary"]
        )
        return Response(serializers.QuarterlyReportSerializer(self.get_object()).data)


class AchievementViewSet(CachedListMixin, viewsets.ReadOnlyModelViewSet):
    """Stored achievements (capaian, IP-SPM) in the user's scope; current revisions unless ?revisi=semua
    (AchievementFilter)."""

    serializer_class = serializers.AchievementSerializer
    filterset_class = AchievementFilter

    def get_queryset(self):
        qs = Achievement.objects.visible_to(self.request.user).select_related("region", "service", "affair", "rules")
        return qs.order_by("region__code", "year", "quarter", "level", "id")


class RecipientImportViewSet(viewsets.ReadOnlyModelViewSet):
    """Recipient-list imports in scope: status, progress and counts (to follow a long import)."""

    serializer_class = serializers.RecipientImportSerializer
    filterset_class = RecipientImportFilter

    def get_queryset(self):
        return (
            RecipientImport.objects.visible_to(self.request.user)
            .select_related("region", "service")
            .order_by("-created_at", "-id")
        )


class RecipientViewSet(viewsets.ReadOnlyModelViewSet):
    """Named recipients in scope, minimised: masked NIK, no name, address or birth date. Full records stay in
    the pages (where exports are logged)."""

    serializer_class = serializers.RecipientSerializer
    filterset_class = RecipientFilter

    def get_queryset(self):
        qs = Recipient.objects.visible_to(self.request.user).select_related("region", "service", "district")
        return qs.order_by("region_id", "service_id", "year", "id")

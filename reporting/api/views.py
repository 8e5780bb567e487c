"""Reporting API: reports and achievements, scoped with ``visible_to``; workflow transitions call the services."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from reporting.api import serializers
from reporting.filters import AchievementFilter, QuarterlyReportFilter
from reporting.models import Achievement, QuarterlyReport, Recipient, RecipientImport
from reporting.services import CommentInput, report_approve, report_return
from targets.selectors import must_serve_figures


def _call(fn, **kwargs):
    """Run a service and turn its Django errors into API errors (messages in Bahasa Indonesia)."""
    try:
        return fn(**kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc)) from exc
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        raise exceptions.ValidationError(detail) from exc


class QuarterlyReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Laporan triwulan in the user's scope; the verifikator approves or returns through the actions."""

    serializer_class = serializers.QuarterlyReportSerializer
    filterset_class = QuarterlyReportFilter

    def get_queryset(self):
        return (
            QuarterlyReport.objects.visible_to(self.request.user)
            .with_related()
            .prefetch_related("quality_entries__component", "stages")
            .order_by("period__year", "period__quarter", "service__code")
        )

    @action(detail=True, methods=["get"], url_path="harus-dilayani", serializer_class=serializers.MustServeSerializer)
    def must_serve(self, request, pk=None):
        """Harus dilayani of this report's daerah, jenis and year: the same figures as the pages show."""
        report = self.get_object()
        figures = must_serve_figures(
            region=report.region, service=report.service, year=report.period.year, reported=report.must_serve
        )
        return Response(serializers.MustServeSerializer(figures).data)

    @action(detail=True, methods=["post"], serializer_class=serializers.ApproveSerializer)
    def approve(self, request, pk=None):
        report = self.get_object()
        data = serializers.ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(report_approve, report=report, user=request.user, comment=data.validated_data["comment"])
        return Response(serializers.QuarterlyReportSerializer(self.get_object()).data)

    @action(
        detail=True,
        methods=["post"],
        url_path="return",
        url_name="return",
        serializer_class=serializers.ReturnSerializer,
    )
    def return_(self, request, pk=None):
        report = self.get_object()
        data = serializers.ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comments = [CommentInput(c["anchor"], c["text"]) for c in data.validated_data["comments"]]
        _call(
            report_return, report=report, user=request.user, comments=comments, summary=data.validated_data["summary"]
        )
        return Response(serializers.QuarterlyReportSerializer(self.get_object()).data)


class AchievementViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored achievements (capaian, IP-SPM) in the user's scope; current revisions unless ?revisi=semua."""

    serializer_class = serializers.AchievementSerializer
    filterset_class = AchievementFilter

    def get_queryset(self):
        qs = Achievement.objects.visible_to(self.request.user).select_related("region", "service", "affair", "rules")
        if self.request.query_params.get("revisi") != "semua":
            qs = qs.filter(is_current=True)
        return qs.order_by("region__code", "year", "quarter", "level", "id")


class RecipientImportViewSet(viewsets.ReadOnlyModelViewSet):
    """Recipient-list imports in scope: status, progress and counts (to follow a long import)."""

    serializer_class = serializers.RecipientImportSerializer
    filterset_fields = ["year", "status"]

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
    filterset_fields = ["year", "quarter", "status"]

    def get_queryset(self):
        qs = Recipient.objects.visible_to(self.request.user).select_related("region", "service", "district")
        params = self.request.query_params
        if params.get("region"):
            qs = qs.filter(region__code=params["region"])
        if params.get("service"):
            qs = qs.filter(service__code=params["service"])
        return qs.order_by("region_id", "service_id", "year", "id")

"""Read-only API for the catalogue (public) and the organisation (scoped with ``visible_to``)."""

from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.views import exception_handler as drf_exception_handler

from spm.api import serializers
from spm.filters import AgencyFilter, BasicServiceFilter, RegionFilter
from spm.models import Affair, Agency, BasicService, QualityComponent, Region, ServiceAssignment


class AffairViewSet(viewsets.ReadOnlyModelViewSet):
    """Urusan pelayanan dasar (public regulation data)."""

    queryset = Affair.objects.all()
    serializer_class = serializers.AffairSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    pagination_class = None


class BasicServiceViewSet(viewsets.ReadOnlyModelViewSet):
    """Jenis pelayanan dasar with eligibility and mutu components (public regulation data)."""

    queryset = (
        BasicService.objects.active()
        .select_related("affair")
        .prefetch_related(Prefetch("quality_components", queryset=QualityComponent.objects.order_by("order")))
    )
    serializer_class = serializers.BasicServiceSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = BasicServiceFilter
    lookup_field = "code"
    pagination_class = None


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The Kemendagri region tree (public reference data)."""

    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = RegionFilter
    lookup_field = "code"
    lookup_value_regex = r"[0-9.]+"


class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    """OPD visible to the user."""

    serializer_class = serializers.AgencySerializer
    filterset_class = AgencyFilter

    def get_queryset(self):
        return Agency.objects.visible_to(self.request.user).select_related("region")


class ServiceAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """OPD pengampu per jenis pelayanan dasar, visible to the user."""

    serializer_class = serializers.ServiceAssignmentSerializer

    def get_queryset(self):
        return ServiceAssignment.objects.visible_to(self.request.user).select_related(
            "region", "service", "agency__region"
        )


def not_found(request, exception=None):
    """The JSON 404 of the API (``{"detail": ...}``) for a URL no route matches; ``spm.errors.page_not_found``
    (the ``handler404``) answers with it under /api/."""
    return JsonResponse({"detail": str(NotFound.default_detail)}, status=404)


def exception_handler(exc, context):
    """DRF's handler, except that a 404 says "not found" in Indonesian instead of Django's English
    "No QuarterlyReport matches the given query." (which also named the model to anyone probing ids)."""
    if isinstance(exc, Http404):
        exc = NotFound()
    return drf_exception_handler(exc, context)

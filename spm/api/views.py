"""Read-only API for the catalogue (public) and the organisation (scoped with ``visible_to``)."""

from django.db.models import Prefetch
from rest_framework import permissions, viewsets

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

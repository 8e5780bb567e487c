"""API of the e-SPM hand-off: the rows of a daerah's triwulan for a national system to pull."""

from rest_framework import viewsets
from rest_framework.response import Response

from reporting.models import Achievement, AchievementLevel
from targets import espm
from targets.api import serializers
from targets.filters import EspmFilter


class EspmViewSet(viewsets.ReadOnlyModelViewSet):
    """Baris format e-SPM: one per jenis pelayanan dasar with a stored achievement (approved report) in the
    user's scope — A penerima, B mutu per komponen, nilai, C anggaran, permasalahan dan solusi, tahapan and the
    rencana aksi of the year; the same figures as the e-SPM xlsx. Filter by ``region``, ``year``, ``quarter``."""

    serializer_class = serializers.EspmLineSerializer
    filterset_class = EspmFilter

    def get_queryset(self):
        return (
            Achievement.objects.visible_to(self.request.user)
            .filter(level=AchievementLevel.SERVICE, is_current=True)
            .select_related("region", "service__affair", "rules", "report")
            .prefetch_related(*espm.ACHIEVEMENT_PREFETCH)
            .order_by("region__code", "year", "quarter", "service__affair__order", "service__order", "id")
        )

    def _data(self, rows) -> list[dict]:
        return [serializers.line_data(item) for item in espm.lines_for_achievements(rows)]

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        data = self.get_serializer(self._data(rows), many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        row = self.get_object()
        return Response(self.get_serializer(self._data([row])[0]).data)

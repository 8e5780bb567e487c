import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reporting import anchors
from reporting.choices import ImplementationStage, ImportPhase, Section, StageStatus
from reporting.models import (
    Achievement,
    QualityEntry,
    QualityItemEntry,
    QuarterlyReport,
    Recipient,
    RecipientImport,
    StageProgress,
)
from reporting.recipients.validation import mask_nik


class QualityEntrySerializer(serializers.ModelSerializer):
    component = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = QualityEntry
        fields = ["component", "required", "met", "not_applicable", "not_applicable_reason"]


class QualityItemEntrySerializer(serializers.ModelSerializer):
    """One item of section B (dibutuhkan / tersedia); its component's figures above are derived from these."""

    item = serializers.IntegerField(source="item_id", read_only=True)
    component = serializers.CharField(source="item.component.code", read_only=True)
    name = serializers.CharField(source="item.name", read_only=True)
    unit = serializers.CharField(source="item.unit", read_only=True)

    class Meta:
        model = QualityItemEntry
        fields = ["item", "component", "name", "unit", "required", "met"]


class StageProgressSerializer(serializers.ModelSerializer):
    # Blank until the OPD picks a status; declared so the schema admits the blank (read-only model fields lose it).
    status = serializers.ChoiceField(choices=StageStatus.choices, allow_blank=True, read_only=True)

    class Meta:
        model = StageProgress
        fields = ["stage", "status", "note"]


class QuarterlyReportSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = serializers.StringRelatedField()
    year = serializers.IntegerField(source="period.year", read_only=True)
    quarter = serializers.IntegerField(source="period.quarter", read_only=True)
    quality = QualityEntrySerializer(source="quality_entries", many=True, read_only=True)
    quality_items = QualityItemEntrySerializer(source="item_entries", many=True, read_only=True)
    quality_item_list = serializers.SerializerMethodField()
    stages = StageProgressSerializer(many=True, read_only=True)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "year": {"type": "integer"}, "version": {"type": "integer"}},
        }
    )
    def get_quality_item_list(self, report) -> dict | None:
        """The version of the mutu item list the report is filled against (null: entered per component)."""
        item_list = report.quality_item_list
        return None if item_list is None else {"id": item_list.pk, "year": item_list.year, "version": item_list.version}

    class Meta:
        model = QuarterlyReport
        fields = [
            "id",
            "region",
            "service",
            "agency",
            "year",
            "quarter",
            "status",
            "version",
            "must_serve",
            "served",
            "budget_allocated",
            "budget_realised",
            "problems",
            "solutions",
            "quality",
            "quality_item_list",
            "quality_items",
            "stages",
            "submitted_at",
            "is_late",
            "approved_at",
        ]
        read_only_fields = fields


def _anchor_pattern() -> str:
    from reporting.services.reports import SCALAR_FIELDS

    names = [*Section.values, *SCALAR_FIELDS, *(anchors.stage(code) for code in ImplementationStage.values)]
    return rf"^(?:{'|'.join(re.escape(name) for name in names)}|{anchors.QUALITY}-[A-Za-z0-9_]+)$"


ANCHOR_PATTERN = _anchor_pattern()


@extend_schema_field({"type": "string", "pattern": ANCHOR_PATTERN, "maxLength": 80})
class AnchorField(serializers.RegexField):
    """Where a catatan points: a section (A–F), a field, ``stage-<tahapan>`` or ``quality-<komponen mutu>``
    (a component the report's jenis pelayanan dasar has; another one is refused by the service)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("error_messages", {"invalid": _("Bagian atau isian tidak dikenal.")})
        super().__init__(ANCHOR_PATTERN, **kwargs)


class ReturnSerializer(serializers.Serializer):
    """Mengembalikan laporan: at least one catatan anchored to a part of the report, and an optional summary."""

    class CommentSerializer(serializers.Serializer):
        anchor = AnchorField()
        text = serializers.CharField()

    comments = CommentSerializer(many=True, allow_empty=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    """Menyetujui laporan, with an optional comment for the OPD."""

    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AchievementSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    # An achievement is of one layanan, one urusan or the whole daerah (``level``): the others are null.
    service = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    affair = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    rules_version = serializers.CharField(source="rules.version", read_only=True)
    status_label = serializers.CharField(source="get_status_label", read_only=True)

    class Meta:
        model = Achievement
        fields = [
            "id",
            "region",
            "year",
            "quarter",
            "level",
            "service",
            "affair",
            "revision",
            "must_serve",
            "served",
            "recipient_pct",
            "quality_pct",
            "index",
            "status",
            "status_label",
            "has_target",
            "budget_allocated",
            "budget_realised",
            "inputs",
            "rules_version",
            "computed_at",
        ]
        read_only_fields = fields


class RecipientImportSerializer(serializers.ModelSerializer):
    """An import batch: status, progress and counts (no personal data)."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phase = serializers.ChoiceField(choices=ImportPhase.choices, allow_blank=True, read_only=True)  # blank: queued

    class Meta:
        model = RecipientImport
        fields = [
            "id",
            "region",
            "service",
            "year",
            "mode",
            "status",
            "phase",
            "original_name",
            "created_at",
            "validated_at",
            "committed_at",
            "rows_total",
            "rows_processed",
            "rows_read",
            "rows_valid",
            "rows_with_errors",
            "rows_with_warnings",
            "duplicates_in_file",
            "duplicates_stored",
            "rows_stored",
            "failure_message",
        ]
        read_only_fields = fields


class RecipientSerializer(serializers.ModelSerializer):
    """A named recipient, minimised (UU 27/2022): masked NIK, no address or birth date."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    nik = serializers.SerializerMethodField()
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Recipient
        fields = [
            "id",
            "region",
            "service",
            "year",
            "nik",
            "sex",
            "village",
            "district",
            "service_date",
            "quarter",
            "status",
        ]
        read_only_fields = fields

    def get_nik(self, obj) -> str:
        return mask_nik(obj.nik)


class MustServeSerializer(serializers.Serializer):
    """Jumlah yang harus dilayani of a report's (daerah, jenis, tahun), as every page shows it."""

    value = serializers.IntegerField(allow_null=True, help_text="Yang dipakai: target disetujui, atau isian laporan.")
    source = serializers.ChoiceField(choices=["target", "report", ""], help_text="Sumber nilai yang dipakai.")
    official = serializers.IntegerField(allow_null=True, help_text="Sasaran resmi (target disetujui).")
    reported = serializers.IntegerField(allow_null=True, help_text="Isian laporan.")
    named = serializers.IntegerField(allow_null=True, help_text="Jumlah penerima pada daftar nama.")
    gap_pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    gap_flagged = serializers.BooleanField()

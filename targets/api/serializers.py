"""The e-SPM rows as JSON: the same lines as the e-SPM xlsx (``targets.espm``), one per stored achievement."""

from rest_framework import serializers


class EspmQualitySerializer(serializers.Serializer):
    component = serializers.CharField(source="component.code", help_text="Kode komponen mutu.")
    name = serializers.CharField(source="component.name")
    required = serializers.IntegerField(allow_null=True, help_text="Harus dipenuhi.")
    met = serializers.IntegerField(allow_null=True, help_text="Terpenuhi.")
    not_applicable = serializers.BooleanField(help_text="Ditandai tidak berlaku.")


class EspmStageSerializer(serializers.Serializer):
    stage = serializers.CharField(help_text="Kode tahapan penerapan SPM.")
    label = serializers.CharField()
    status = serializers.CharField(help_text="Status tahapan (kosong bila tidak dilaporkan).", allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class EspmRecipientsSerializer(serializers.Serializer):
    """A. Penerima layanan dasar."""

    must_serve = serializers.IntegerField(allow_null=True, help_text="Jumlah yang harus dilayani.")
    served = serializers.IntegerField(allow_null=True, help_text="Jumlah terlayani (kumulatif).")
    pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="%penerima.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True, help_text="Bobot %penerima.")


class EspmQualityTotalsSerializer(serializers.Serializer):
    """B. Mutu minimal layanan dasar."""

    required = serializers.IntegerField(allow_null=True)
    met = serializers.IntegerField(allow_null=True)
    pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="%mutu.")
    weight = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True, help_text="Bobot %mutu.")
    components = EspmQualitySerializer(many=True)


class EspmBudgetSerializer(serializers.Serializer):
    """C. Anggaran (Rupiah)."""

    allocated = serializers.IntegerField(allow_null=True)
    realised = serializers.IntegerField(allow_null=True)
    pct = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class EspmPlanSerializer(serializers.Serializer):
    """The rencana aksi covering the year, and its line for this jenis in this year."""

    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    status = serializers.CharField()
    perkada_number = serializers.CharField(allow_blank=True)
    target_citizens = serializers.IntegerField(allow_null=True)
    target_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    cost = serializers.IntegerField(allow_null=True)


class EspmLineSerializer(serializers.Serializer):
    """One jenis pelayanan dasar of a daerah's triwulan in the layout of the e-SPM form."""

    achievement_id = serializers.IntegerField(help_text="Id capaian tersimpan (/api/v1/capaian/<id>/).")
    report_id = serializers.IntegerField(allow_null=True, help_text="Id laporan triwulan yang disetujui.")
    region = serializers.CharField(help_text="Kode wilayah Kemendagri.")
    region_name = serializers.CharField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    affair = serializers.CharField(help_text="Kode urusan.")
    service = serializers.CharField(help_text="Kode jenis pelayanan dasar.")
    service_name = serializers.CharField()
    recipients = EspmRecipientsSerializer()
    quality = EspmQualityTotalsSerializer()
    index = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, help_text="Nilai (IP-SPM).")
    status = serializers.CharField(allow_blank=True, help_text="Kode status (tuntas_paripurna …).")
    status_label = serializers.CharField()
    budget = EspmBudgetSerializer()
    problems = serializers.CharField(allow_blank=True)
    solutions = serializers.CharField(allow_blank=True)
    stages = EspmStageSerializer(many=True)
    action_plan = EspmPlanSerializer(allow_null=True)
    rules_version = serializers.CharField()
    computed_at = serializers.DateTimeField()


def line_data(item) -> dict:
    """An ``EspmLine`` (with a stored row) as the plain values the serializer reads."""
    line, row = item.line, item.row
    weight_a, weight_b = item.weights
    plan, year_row = item.plan, item.plan_year
    return {
        "achievement_id": row.pk,
        "report_id": row.report_id,
        "region": item.region.code,
        "region_name": item.region.name,
        "year": item.year,
        "quarter": item.quarter,
        "affair": item.service.affair.code,
        "service": item.service.code,
        "service_name": item.service.name,
        "recipients": {
            "must_serve": line.must_serve,
            "served": line.served,
            "pct": line.recipient_pct,
            "weight": weight_a,
        },
        "quality": {
            "required": line.quality_required,
            "met": line.quality_met,
            "pct": line.quality_pct,
            "weight": weight_b,
            "components": item.quality,
        },
        "index": line.index,
        "status": row.status,
        "status_label": line.status_label,
        "budget": {"allocated": line.budget_allocated, "realised": line.budget_realised, "pct": item.budget_pct},
        "problems": line.problems,
        "solutions": line.solutions,
        "stages": [
            {"stage": code, "label": label, "status": status, "note": note}
            for code, label, status, note in item.stage_codes()
        ],
        "action_plan": (
            {
                "start_year": plan.start_year,
                "end_year": plan.end_year,
                "status": plan.status,
                "perkada_number": plan.perkada_number,
                "target_citizens": year_row.target_citizens if year_row else None,
                "target_pct": year_row.target_pct if year_row else None,
                "cost": year_row.cost if year_row else None,
            }
            if plan
            else None
        ),
        "rules_version": row.rules.version,
        "computed_at": row.computed_at,
    }

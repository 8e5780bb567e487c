from rest_framework import serializers

from spm.models import Affair, Agency, BasicService, QualityComponent, Region, ServiceAssignment


class QualityComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = QualityComponent
        fields = ["code", "name", "order"]


class BasicServiceSerializer(serializers.ModelSerializer):
    affair = serializers.SlugRelatedField(slug_field="code", read_only=True)
    quality_components = QualityComponentSerializer(many=True, read_only=True)

    class Meta:
        model = BasicService
        fields = [
            "code",
            "affair",
            "level",
            "name",
            "recipient",
            "indicator",
            "min_age",
            "max_age",
            "min_age_days",
            "max_age_days",
            "sex",
            "eligibility_severity",
            "eligibility_note",
            "confidence",
            "agency_hint",
            "quality_components",
        ]


class AffairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Affair
        fields = ["code", "name", "regulation", "order"]


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # null: a provinsi

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class AgencySerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Agency
        fields = ["id", "region", "name", "short_name", "is_active"]


class ServiceAssignmentSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agency = AgencySerializer(read_only=True)

    class Meta:
        model = ServiceAssignment
        fields = ["id", "region", "service", "agency"]

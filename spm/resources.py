"""django-import-export resources for the admin import/export of reference data (OPD, OPD pengampu)."""

from import_export import fields, resources
from import_export.widgets import ForeignKeyWidget

from spm.models import Agency, BasicService, Region, ServiceAssignment


class AgencyResource(resources.ModelResource):
    region = fields.Field(attribute="region", column_name="kode_daerah", widget=ForeignKeyWidget(Region, "code"))
    name = fields.Field(attribute="name", column_name="nama_opd")
    short_name = fields.Field(attribute="short_name", column_name="singkatan")

    class Meta:
        model = Agency
        fields = ("region", "name", "short_name")
        import_id_fields = ("region", "name")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True


class AgencyByNameWidget(ForeignKeyWidget):
    """Find an OPD by name within the row's daerah (OPD names repeat across daerah)."""

    def get_queryset(self, value, row, *args, **kwargs):
        return Agency.objects.filter(region__code=row.get("kode_daerah"))


class ServiceAssignmentResource(resources.ModelResource):
    region = fields.Field(attribute="region", column_name="kode_daerah", widget=ForeignKeyWidget(Region, "code"))
    service = fields.Field(
        attribute="service", column_name="kode_layanan", widget=ForeignKeyWidget(BasicService, "code")
    )
    agency = fields.Field(attribute="agency", column_name="nama_opd", widget=AgencyByNameWidget(Agency, "name"))

    class Meta:
        model = ServiceAssignment
        fields = ("region", "service", "agency")
        import_id_fields = ("region", "service")
        clean_model_instances = True
        skip_unchanged = True

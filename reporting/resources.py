"""django-import-export resources of the reporting app.

``RecipientResource`` serves the admin's export of recipient lists (recorded in ExportLog like every other
export of personal data). The app's own import does not use it: a row-by-row ModelResource import runs at
a few hundred rows per second (``bench/import_recipients.py`` measures it as the baseline), while the
recipient import validates in bulk and loads with COPY (``reporting.recipients.services``).
"""

from __future__ import annotations

from import_export import fields, resources
from import_export.widgets import DateWidget, ForeignKeyWidget

from reporting.models import Recipient
from reporting.recipients.validation import HEADERS
from spm.models import BasicService, Region


class RecipientResource(resources.ModelResource):
    region = fields.Field(attribute="region", column_name="Kode Daerah", widget=ForeignKeyWidget(Region, "code"))
    service = fields.Field(
        attribute="service", column_name="Kode Layanan", widget=ForeignKeyWidget(BasicService, "code")
    )
    year = fields.Field(attribute="year", column_name="Tahun")
    nik = fields.Field(attribute="nik", column_name=HEADERS["nik"])
    name = fields.Field(attribute="name", column_name=HEADERS["nama"])
    sex = fields.Field(attribute="sex", column_name=HEADERS["jenis_kelamin"])
    birth_date = fields.Field(
        attribute="birth_date", column_name=HEADERS["tanggal_lahir"], widget=DateWidget("%Y-%m-%d")
    )
    address = fields.Field(attribute="address", column_name=HEADERS["alamat"])
    village = fields.Field(attribute="village", column_name=HEADERS["desa"])
    district = fields.Field(
        attribute="district", column_name=HEADERS["kode_kecamatan"], widget=ForeignKeyWidget(Region, "code")
    )
    service_date = fields.Field(
        attribute="service_date", column_name=HEADERS["tanggal_layanan"], widget=DateWidget("%Y-%m-%d")
    )
    quarter = fields.Field(attribute="quarter", column_name="Triwulan")
    status = fields.Field(attribute="status", column_name=HEADERS["status_layanan"])
    note = fields.Field(attribute="note", column_name=HEADERS["keterangan"])

    class Meta:
        model = Recipient
        fields = (
            "region",
            "service",
            "year",
            "nik",
            "name",
            "sex",
            "birth_date",
            "address",
            "village",
            "district",
            "service_date",
            "quarter",
            "status",
            "note",
        )
        export_order = fields
        import_id_fields = ("region", "service", "year", "nik")

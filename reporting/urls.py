"""URLs of the reporting app (namespace ``reporting``), mounted at /laporan/."""

app_name = "reporting"

urlpatterns: list = []

# --- Data penerima layanan dasar (recipient lists) -------------------------------------------------------
from django.urls import path  # noqa: E402

from reporting.views import recipients  # noqa: E402

urlpatterns += [
    path("penerima/", recipients.recipients_home, name="recipients-home"),
    path("penerima/templat/<str:code>/", recipients.recipients_template, name="recipients-template"),
    path("penerima/impor/", recipients.recipients_import, name="recipients-import"),
    path("penerima/impor/<int:pk>/", recipients.recipients_import_detail, name="recipients-import-detail"),
    path(
        "penerima/impor/<int:pk>/laporan-galat/",
        recipients.recipients_import_report,
        name="recipients-import-report",
    ),
    path("penerima/impor/<int:pk>/simpan/", recipients.recipients_import_commit, name="recipients-import-commit"),
    path("penerima/impor/<int:pk>/batal/", recipients.recipients_import_cancel, name="recipients-import-cancel"),
    path("penerima/data/<int:pk>/", recipients.recipient_detail, name="recipient-detail"),
    path("penerima/<str:region>/<str:service>/<int:year>/", recipients.recipients_list, name="recipients-list"),
    path(
        "penerima/<str:region>/<str:service>/<int:year>/ekspor/",
        recipients.recipients_export,
        name="recipients-export",
    ),
]

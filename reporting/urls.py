"""URLs of the reporting app (namespace ``reporting``), mounted at /laporan/."""

from django.urls import path

from reporting.views import entry

app_name = "reporting"

urlpatterns: list = [
    # OPD operator: tasks, the report page (read-only for everyone else in scope), evidence, notifications
    path("", entry.tasks, name="tasks"),
    path("buka/", entry.report_open_view, name="report-open"),
    path("<int:pk>/", entry.report_detail, name="report-detail"),
    path("<int:pk>/simpan/", entry.report_save_view, name="report-save"),
    path("<int:pk>/ajukan/", entry.report_submit_view, name="report-submit"),
    path("<int:pk>/salin-triwulan-lalu/", entry.report_prefill_view, name="report-prefill"),
    path("<int:pk>/bukti/", entry.evidence_upload, name="evidence-upload"),
    path("bukti/<int:pk>/unduh/", entry.evidence_download, name="evidence-download"),
    path("bukti/<int:pk>/hapus/", entry.evidence_delete, name="evidence-delete"),
    path("notifikasi/", entry.notifications, name="notifications"),
    path("notifikasi/dibaca/", entry.notifications_read, name="notifications-read"),
]

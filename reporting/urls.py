"""URLs of the reporting app (namespace ``reporting``), mounted at /laporan/."""

from django.urls import path

from reporting.views import dashboard, entry, national, recipients, review

app_name = "reporting"

urlpatterns: list = [
    # OPD operator: tasks, the report page (read-only for everyone else in scope), evidence, notifications
    path("", entry.tasks, name="tasks"),
    path("buka/", entry.report_open_view, name="report-open"),
    path("<int:pk>/", entry.report_detail, name="report-detail"),
    path("<int:pk>/simpan/", entry.report_save_view, name="report-save"),
    path("<int:pk>/periksa/", entry.report_check_view, name="report-check"),
    path("<int:pk>/ajukan/", entry.report_submit_view, name="report-submit"),
    path("<int:pk>/salin-triwulan-lalu/", entry.report_prefill_view, name="report-prefill"),
    path("<int:pk>/isi-dari-data-penerima/", entry.report_prefill_recipients_view, name="report-prefill-recipients"),
    path("<int:pk>/bukti/", entry.evidence_upload, name="evidence-upload"),
    path("bukti/<int:pk>/unduh/", entry.evidence_download, name="evidence-download"),
    path("bukti/<int:pk>/hapus/", entry.evidence_delete, name="evidence-delete"),
    path("notifikasi/", entry.notifications, name="notifications"),
    path("notifikasi/dibaca/", entry.notifications_read, name="notifications-read"),
    path("dasbor/", dashboard.region_dashboard, name="dashboard"),
    path("peringkat/", dashboard.ranking, name="ranking"),
    path("capaian-saya/", dashboard.my_achievements, name="my-achievements"),
    path("capaian/<int:pk>/", dashboard.achievement_explain, name="achievement-explain"),
    # Verifikator (Bagian Pemerintahan), pimpinan and admin
    path("verifikasi/", review.review_queue, name="review-queue"),
    path("verifikasi/<int:pk>/", review.review, name="review"),
    path("verifikasi/<int:pk>/setujui/", review.review_approve, name="review-approve"),
    path("verifikasi/<int:pk>/kembalikan/", review.review_return, name="review-return"),
    path("verifikasi/<int:pk>/baris-catatan/", review.review_comment_row, name="review-comment-row"),
    path("verifikasi/<int:pk>/buka-kunci/", review.report_unlock_view, name="report-unlock"),
    path("matriks/", review.matrix, name="matrix"),
    path("matriks/xlsx/", review.matrix_export, name="matrix-export"),
    # Admin
    path("periode/", review.periods, name="periods"),
    path("periode/baru/", review.period_create, name="period-create"),
    path("periode/<int:pk>/batas-waktu/", review.period_due_date, name="period-due-date"),
    path("periode/<int:pk>/tutup/", review.period_close_view, name="period-close"),
    path("periode/<int:pk>/buka-kembali/", review.period_reopen_view, name="period-reopen"),
    # National monitoring (Kemendagri)
    path("nasional/", national.national_dashboard, name="national-dashboard"),
    path("nasional/jadwal/", national.national_windows, name="national-windows"),
    path("nasional/spm-awards/", national.awards, name="awards"),
    # Data penerima layanan dasar (recipient lists)
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
    path("data-pribadi-saya/", recipients.personal_data_log, name="personal-data-log"),
    path("penerima/data/<int:pk>/", recipients.recipient_detail, name="recipient-detail"),
    path("penerima/<str:region>/<str:service>/<int:year>/", recipients.recipients_list, name="recipients-list"),
    path(
        "penerima/<str:region>/<str:service>/<int:year>/cari-nik/",
        recipients.recipients_nik_search,
        name="recipients-nik-search",
    ),
    path(
        "penerima/<str:region>/<str:service>/<int:year>/ekspor/",
        recipients.recipients_export,
        name="recipients-export",
    ),
]

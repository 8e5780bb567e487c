"""URLs of the reporting app (namespace ``reporting``), mounted at /laporan/."""

from django.urls import path

from reporting.views import dashboard, review

app_name = "reporting"

urlpatterns: list = [
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
]

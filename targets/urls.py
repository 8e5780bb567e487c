"""URLs of the targets app (namespace ``targets``), mounted at /rencana/."""

from django.urls import path

from targets.views import espm, needs, official, plans, targets, team

app_name = "targets"

urlpatterns: list = [
    path("target/", targets.target_list, name="target-list"),
    path("target/ekspor/", targets.target_export, name="target-export"),
    path("target/impor/", targets.target_import, name="target-import"),
    path("target/revisi/<int:pk>/verifikasi/", targets.target_review, name="target-review"),
    path("target/<int:year>/<str:code>/", targets.target_detail, name="target-detail"),
]

urlpatterns += [
    path("laporan-resmi/", official.official_report, name="official-report"),
    path("laporan-resmi/berkas/<int:pk>/", official.generated_status, name="generated-status"),
    path("laporan-resmi/berkas/<int:pk>/<str:fmt>/", official.generated_download, name="generated-download"),
    path("laporan-resmi/e-spm/", espm.espm_export, name="espm-export"),
]

urlpatterns += [
    path("rencana-aksi/", plans.plan_list, name="plan-list"),
    path("rencana-aksi/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("rencana-aksi/<int:pk>/status/", plans.plan_transition, name="plan-transition"),
    path("rencana-aksi/<int:pk>/unduh.<str:fmt>", plans.plan_export, name="plan-export"),
    path("rencana-aksi/<int:pk>/perkada.pdf", plans.plan_signed_document, name="plan-signed-document"),
    path("rencana-aksi/layanan/<int:pk>/", plans.plan_item_save, name="plan-item-save"),
]

urlpatterns += [path("kebutuhan/", needs.need_list, name="need-list")]

urlpatterns += [
    path("tim-penerapan/", team.team, name="team"),
    path("tim-penerapan/<str:code>/sk/", team.team_decree, name="team-decree"),
]

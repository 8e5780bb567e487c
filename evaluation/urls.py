"""URLs of the provincial evaluation (namespace ``evaluation``), mounted at /evaluasi/."""

from django.urls import path

from evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.province, name="province"),
    path("permintaan/", views.request_list, name="request-list"),
    path("permintaan/baru/", views.request_create, name="request-create"),
    path("permintaan/<int:pk>/", views.request_detail, name="request-detail"),
    path("permintaan/<int:pk>/jawab/", views.request_answer, name="request-answer"),
    path("permintaan/<int:pk>/tutup/", views.request_close, name="request-close"),
    path("tahunan/<str:code>/<int:year>/", views.annual_edit, name="annual-edit"),
]

"""URL configuration of e-SPM."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from spm import health, language, observability, views
from spm.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("katalog/", views.catalogue, name="catalogue"),
    path("katalog/<str:code>/", views.catalogue_service, name="catalogue-service"),
    path("kamus/", views.dictionary, name="dictionary"),
    path("opd/", views.agency_list, name="agency-list"),
    path("opd/saya/", views.agency_mine, name="agency-mine"),
    path("opd/<int:pk>/", views.agency_detail, name="agency-detail"),
    path("daerah/", views.region_list, name="region-list"),
    path("daerah/<str:code>/", views.region_detail, name="region-detail"),
    path(
        "akun/masuk/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("akun/keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("akun/kata-sandi/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/kata-sandi/selesai/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("laporan/", include("reporting.urls")),
    path("rencana/", include("targets.urls")),
    path("evaluasi/", include("evaluation.urls")),
    path("i18n/setlang/", language.set_language, name="set_language"),  # also keeps the choice on the user
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("spm.api.urls")),
    path("api/v1/", include("reporting.api.urls")),
    path("api/v1/", include("targets.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Security pages (issue 10)
    path(
        "api/docs/",
        login_required(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="security/swagger_ui.html")
        ),
        name="api-docs",
    ),
    # Operations endpoints (issue 15)
    path("sehat/", health.ReadinessView.as_view(), name="health-ready"),
    path("sehat/hidup/", health.LivenessView.as_view(), name="health-live"),
    path("metrics", observability.metrics_view, name="metrics"),
]


admin.site.site_header = "e-SPM — Administrasi"
admin.site.site_title = "e-SPM"
admin.site.index_title = "Administrasi sistem"

# Error pages in the site's layout and in Indonesian (issue 12).
handler400 = "spm.errors.bad_request"
handler403 = "spm.errors.permission_denied"
handler404 = "spm.errors.page_not_found"
handler500 = "spm.errors.server_error"

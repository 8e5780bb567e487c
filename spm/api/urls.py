from rest_framework.routers import DefaultRouter

from spm.api import views

app_name = "api"

router = DefaultRouter()
router.register("urusan", views.AffairViewSet, basename="affair")
router.register("layanan", views.BasicServiceViewSet, basename="basicservice")
router.register("wilayah", views.RegionViewSet, basename="region")
router.register("opd", views.AgencyViewSet, basename="agency")
router.register("pengampu", views.ServiceAssignmentViewSet, basename="serviceassignment")

urlpatterns = router.urls

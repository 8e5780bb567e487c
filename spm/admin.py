from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from spm.models import Affair, Agency, BasicService, QualityComponent, Region, ServiceAssignment, User
from spm.resources import AgencyResource, ServiceAssignmentResource
from spm.xlsx import SAFE_FORMATS


class QualityComponentInline(admin.TabularInline):
    model = QualityComponent
    extra = 0


@admin.register(Affair)
class AffairAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "order"]


@admin.register(BasicService)
class BasicServiceAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "affair",
        "level",
        "min_age",
        "max_age",
        "sex",
        "eligibility_severity",
        "confidence",
    ]
    list_filter = ["level", "affair", "confidence", "is_active"]
    search_fields = ["code", "name", "recipient"]
    list_select_related = ["affair"]
    inlines = [QualityComponentInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]


@admin.register(Agency)
class AgencyAdmin(ImportExportModelAdmin):
    resource_classes = [AgencyResource]
    formats = SAFE_FORMATS  # formulas never leave as formulas; uploads are checked before parsing
    list_display = ["name", "short_name", "region", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "region__name", "region__code"]
    list_select_related = ["region"]
    raw_id_fields = ["region"]


@admin.register(ServiceAssignment)
class ServiceAssignmentAdmin(ImportExportModelAdmin):
    resource_classes = [ServiceAssignmentResource]
    formats = SAFE_FORMATS
    list_display = ["service", "agency", "region"]
    search_fields = ["service__code", "service__name", "agency__name", "region__name"]
    list_select_related = ["service", "agency", "region"]
    raw_id_fields = ["region", "agency"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "role", "region", "agency", "is_active"]
    list_filter = ["role", "is_active"]
    list_select_related = ["region", "agency"]
    raw_id_fields = ["region", "agency"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Data pribadi"), {"fields": ("first_name", "last_name", "email", "nip", "position", "phone")}),
        (_("Peran dan cakupan"), {"fields": ("role", "region", "agency")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "region", "agency")}),
    )
    readonly_fields = ["last_login", "date_joined"]

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from spm import quality_xlsx
from spm.choices import ItemListOrigin, SourceConfidence
from spm.models import (
    Affair,
    Agency,
    BasicService,
    FieldGuide,
    GlossaryTerm,
    QualityComponent,
    QualityItem,
    QualityItemList,
    Region,
    ServiceAssignment,
    User,
)
from spm.resources import AgencyResource, ServiceAssignmentResource
from spm.services import ItemRow, quality_item_list_copy, quality_item_list_import
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


# --- Mutu item lists (standar teknis), juknis, Kamus SPM ------------------------------------------------


def _bound(item_list: QualityItemList | None) -> bool:
    """A version a report is filled against never changes (a correction is a new version)."""
    return item_list is not None and item_list.pk is not None and item_list.reports.exists()


class QualityItemInline(admin.TabularInline):
    model = QualityItem
    extra = 1
    fields = ["component", "name", "unit", "source", "confidence", "note", "order"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "component":
            # Only the components of the list's own jenis (the list being edited is in the URL).
            object_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            service_id = QualityItemList.objects.filter(pk=object_id).values_list("service_id", flat=True).first()
            kwargs["queryset"] = QualityComponent.objects.filter(service_id=service_id).select_related("service")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _bound(obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _bound(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _bound(obj)


class ItemListImportForm(forms.Form):
    """Upload of one jenis's item list for a year: read and checked first, stored after confirmation."""

    service = forms.ModelChoiceField(
        label=_("Jenis pelayanan dasar"), queryset=BasicService.objects.select_related("affair")
    )
    year = forms.IntegerField(label=_("Berlaku mulai tahun"), min_value=2019, max_value=2100)
    source = forms.CharField(label=_("Sumber (regulasi dan pasal/lampiran)"), max_length=500)
    confidence = forms.ChoiceField(label=_("Keyakinan data"), choices=SourceConfidence.choices)
    file = forms.FileField(label=_("Berkas xlsx"))


@admin.register(QualityItemList)
class QualityItemListAdmin(admin.ModelAdmin):
    """Daftar item mutu per jenis and year, versioned: edit an unbound version, copy a bound one, import and
    export xlsx (dry run first, then confirm)."""

    list_display = ["service", "year", "version", "origin", "confidence", "item_count", "report_count"]
    list_filter = ["origin", "confidence", "service__affair"]
    search_fields = ["service__code", "service__name", "source"]
    list_select_related = ["service"]
    readonly_fields = ["origin", "created_at"]
    inlines = [QualityItemInline]
    actions = ["copy_as_new_version", "export_xlsx"]
    change_list_template = "admin/spm/qualityitemlist/change_list.html"

    def get_queryset(self, request):
        from django.db.models import Count

        return (
            super()
            .get_queryset(request)
            .annotate(_items=Count("items", distinct=True), _reports=Count("reports", distinct=True))
        )

    @admin.display(description=_("item"), ordering="_items")
    def item_count(self, obj) -> int:
        return obj._items

    @admin.display(description=_("laporan"), ordering="_reports")
    def report_count(self, obj) -> int:
        return obj._reports

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _bound(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _bound(obj)

    def save_model(self, request, obj, form, change):
        # An admin's edit is the admin's: the reference file no longer rewrites this jenis.
        obj.origin = ItemListOrigin.ADMIN
        super().save_model(request, obj, form, change)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if _bound(obj):
            self.message_user(
                request,
                gettext(
                    "Versi ini sudah dipakai laporan dan tidak dapat diubah; pilih 'Salin sebagai versi baru' "
                    "di daftar untuk membuat perbaikannya."
                ),
                messages.INFO,
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Salin sebagai versi baru"))
    def copy_as_new_version(self, request, queryset):
        for item_list in queryset.select_related("service"):
            copy = quality_item_list_copy(item_list=item_list)
            self.message_user(
                request,
                gettext("Versi %(version)s %(list)s dibuat.") % {"version": copy.version, "list": copy.service.code},
            )

    @admin.action(description=_("Ekspor xlsx"))
    def export_xlsx(self, request, queryset):
        return quality_xlsx.export_response(list(queryset.select_related("service")))

    def get_urls(self):
        return [
            path("impor/", self.admin_site.admin_view(self.import_view), name="spm_qualityitemlist_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Step 1: upload and check (nothing stored); step 2: confirm the checked rows (signed, one hour)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Impor daftar item mutu"),
        }
        if request.method == "POST" and request.POST.get("action") == "confirm":
            try:
                payload = signing.loads(request.POST.get("payload", ""), salt="quality-items", max_age=3600)
            except signing.BadSignature:
                self.message_user(
                    request, gettext("Pratinjau kedaluwarsa atau rusak; unggah ulang berkasnya."), messages.ERROR
                )
                return redirect("admin:spm_qualityitemlist_import")
            try:
                item_list = quality_item_list_import(
                    service=BasicService.objects.get(pk=payload["service"]),
                    year=payload["year"],
                    rows=[ItemRow(*row) for row in payload["rows"]],
                    source=payload["source"],
                    confidence=payload["confidence"],
                )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect("admin:spm_qualityitemlist_import")
            except IntegrityError:  # another admin stored the same version at the same moment
                self.message_user(
                    request,
                    gettext("Versi yang sama baru saja disimpan orang lain; ulangi konfirmasi."),
                    messages.ERROR,
                )
                return redirect("admin:spm_qualityitemlist_import")
            self.message_user(
                request,
                gettext("Daftar item %(list)s disimpan (%(count)s item).")
                % {"list": item_list, "count": len(payload["rows"])},
            )
            return redirect(reverse("admin:spm_qualityitemlist_change", args=[item_list.pk]))
        form = ItemListImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            parsed = quality_xlsx.parse_upload(data["file"].read(), service=data["service"])
            context.update(parsed=parsed, service=data["service"], year=data["year"])
            if parsed.ok:
                context["payload"] = signing.dumps(
                    {
                        "service": data["service"].pk,
                        "year": data["year"],
                        "source": data["source"],
                        "confidence": data["confidence"],
                        "rows": [list(row.key()) for row in parsed.rows],
                    },
                    salt="quality-items",
                )
        context["form"] = form
        return TemplateResponse(request, "admin/spm/qualityitemlist/import.html", context)


@admin.register(FieldGuide)
class FieldGuideAdmin(admin.ModelAdmin):
    list_display = ["field", "label", "service", "confidence"]
    list_filter = ["confidence", "field"]
    search_fields = ["field", "label", "text", "service__code", "service__name"]
    list_select_related = ["service"]
    raw_id_fields = ["service"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "source", "order"]
    search_fields = ["term", "definition"]

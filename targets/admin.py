from django import forms
from django.contrib import admin
from django.core.files.base import ContentFile

from targets.emblem import clean_emblem
from targets.models import (
    ImplementationTeam,
    ImplementationTeamMember,
    RegionProfile,
    Target,
    TargetQuality,
    TargetRevision,
    TargetTransition,
)


class TargetQualityInline(admin.TabularInline):
    model = TargetQuality
    extra = 0
    readonly_fields = ["component", "required"]
    can_delete = False


class TargetTransitionInline(admin.TabularInline):
    model = TargetTransition
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "comment", "created_at"]
    exclude = ["snapshot"]
    can_delete = False


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    """Read-only: targets change through the review workflow (services), never here."""

    list_display = ["region", "service", "year", "approved_revision"]
    list_filter = ["year"]
    search_fields = ["region__name", "service__code"]
    list_select_related = ["region", "service", "approved_revision"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(TargetRevision)
class TargetRevisionAdmin(admin.ModelAdmin):
    list_display = ["target", "number", "status", "must_serve"]
    list_filter = ["status"]
    list_select_related = ["target__region", "target__service"]
    inlines = [TargetQualityInline, TargetTransitionInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class RegionProfileForm(forms.ModelForm):
    """The lambang is checked and cleaned on upload (``targets.emblem``): SVG sanitised, PNG re-encoded."""

    class Meta:
        model = RegionProfile
        fields = [
            "region",
            "emblem",
            "government_name",
            "address",
            "contact",
            "head_title",
            "head_name",
            "head_nip",
            "signing_place",
            "paper_size",
        ]

    def clean_emblem(self):
        upload = self.cleaned_data.get("emblem")
        if not upload or not hasattr(upload, "read") or getattr(upload, "_committed", False):
            return upload  # unchanged or cleared
        ext, data = clean_emblem(upload.name, upload.read())
        return ContentFile(data, name=f"lambang.{ext}")


@admin.register(RegionProfile)
class RegionProfileAdmin(admin.ModelAdmin):
    """Profil daerah (kop surat and the kepala daerah who signs), kept by the admin."""

    form = RegionProfileForm
    list_display = ["region", "government_name", "head_name", "paper_size"]
    search_fields = ["region__name", "region__code"]
    autocomplete_fields = ["region"]


class ImplementationTeamMemberInline(admin.TabularInline):
    model = ImplementationTeamMember
    extra = 0
    fields = ["order", "role", "name", "position", "agency"]
    readonly_fields = fields
    can_delete = False


@admin.register(ImplementationTeam)
class ImplementationTeamAdmin(admin.ModelAdmin):
    """Read-only here: the SK and members are kept on the Tim Penerapan SPM page, whose service checks the SK
    file (``targets.services.team``)."""

    list_display = ["region", "decree_number", "decree_date", "updated_at"]
    search_fields = ["region__name", "region__code", "decree_number"]
    readonly_fields = ["region", "decree_number", "decree_date", "decree_name", "updated_by", "updated_at"]
    exclude = ["decree_file", "decree_content_type"]
    inlines = [ImplementationTeamMemberInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

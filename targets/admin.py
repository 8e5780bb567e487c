from django.contrib import admin

from targets.models import Target, TargetQuality, TargetRevision, TargetTransition


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

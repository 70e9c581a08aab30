from django.contrib import admin

from .models import Report, Target


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    can_delete = False
    fields = ["reason", "detail", "hid_target", "created_at"]
    readonly_fields = fields


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["public_id", "store", "message", "moderation", "report_count", "hidden_at"]
    list_filter = ["moderation"]
    # Decisions go through the moderation page (Target.moderate), so the state stays consistent.
    readonly_fields = [
        "public_id",
        "store",
        "message",
        "moderation",
        "withheld",
        "report_count",
        "hidden_at",
        "moderated_by",
        "moderated_at",
    ]
    inlines = [ReportInline]

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from .models import Assignment, Cohort, Invitation, PrintRecord, Visit


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["tutor", "store"]


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "starts_on", "ends_on"]
    filter_horizontal = ["markets", "operators"]
    inlines = [AssignmentInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["store", "phone", "created_at", "expires_at", "accepted_at"]
    readonly_fields = ["store", "phone", "created_by", "created_at", "expires_at", "accepted_at", "accepted_by"]
    exclude = ["digest"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["store", "tutor", "visited_on", "cohort"]
    raw_id_fields = ["store", "tutor"]


@admin.register(PrintRecord)
class PrintRecordAdmin(admin.ModelAdmin):
    list_display = ["store", "kind", "printed_by", "created_at"]
    raw_id_fields = ["store", "printed_by"]

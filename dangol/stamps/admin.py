from django.contrib import admin

from .models import Stamp, StampCard, StampProgram


@admin.register(StampProgram)
class StampProgramAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "goal", "limit_mode", "status", "created_at"]
    raw_id_fields = ["store", "reward"]


@admin.register(StampCard)
class StampCardAdmin(admin.ModelAdmin):
    list_display = ["__str__", "program", "stamps", "completed", "last_stamp_at"]
    raw_id_fields = ["program", "customer"]


@admin.register(Stamp)
class StampAdmin(admin.ModelAdmin):
    list_display = ["card", "round", "number", "via", "flagged", "created_at"]
    list_filter = ["via", "flagged"]
    raw_id_fields = ["card", "store", "customer", "given_by", "api_key", "token"]

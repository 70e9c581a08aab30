from django.contrib import admin

from .models import Market


@admin.register(Market)
class MarketAdmin(admin.ModelAdmin):
    list_display = ["name", "address", "public_id"]
    search_fields = ["name", "address"]
    filter_horizontal = ["admins"]

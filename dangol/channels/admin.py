from django.contrib import admin

from .models import ConsentEvent, Follow, Store


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "market", "category", "stall_number", "public_id"]
    list_filter = ["market", "category"]
    search_fields = ["name", "stall_number", "public_id"]
    filter_horizontal = ["owners"]


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["customer", "store", "started_at", "ended_at", "ads_consent", "night_consent"]
    list_filter = ["ads_consent", "night_consent"]
    search_fields = ["customer__phone", "store__name"]
    raw_id_fields = ["customer", "store"]
    # Consent flags change only through consent records, never by hand.
    readonly_fields = ["ads_consent", "night_consent", "ads_consent_at", "started_at", "ended_at"]


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "store", "kind", "action", "via"]
    list_filter = ["kind", "action", "via"]
    search_fields = ["customer__phone", "store__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

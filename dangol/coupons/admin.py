from django.contrib import admin

from .models import ApiKey, Campaign, Coupon, Redemption, SigningKey


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["__str__", "store", "method", "issued_count", "quantity", "status", "created_at"]
    list_filter = ["method", "status"]
    search_fields = ["public_id", "title", "store__name"]
    readonly_fields = ["issued_count"]
    raw_id_fields = ["store", "message", "created_by"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "campaign", "store", "status", "issued_at", "expires_at"]
    list_filter = ["status"]
    search_fields = ["code", "public_id"]
    raw_id_fields = ["campaign", "store", "customer", "signing_key"]

    def has_change_permission(self, request, obj=None):
        return False  # coupon state changes only through redeem/undo/revoke


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["coupon", "store", "via", "amount", "created_at", "undone_at"]
    list_filter = ["via"]
    raw_id_fields = ["coupon", "store", "redeemed_by", "api_key", "undone_by", "undone_by_key"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "store", "created_at", "retired_at", "revoked_at"]
    exclude = ["private_key_sealed"]
    raw_id_fields = ["store"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "store", "created_at", "revoked_at"]
    exclude = ["key_hash"]
    raw_id_fields = ["store", "created_by"]

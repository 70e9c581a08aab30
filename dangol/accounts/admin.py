from django.contrib import admin

from .models import AddressThrottle, PhoneCode, PhoneThrottle, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["phone", "name", "is_staff", "date_joined"]
    search_fields = ["phone", "name"]
    list_filter = ["is_staff", "is_active"]
    readonly_fields = ["public_id", "last_login", "date_joined"]
    exclude = ["password"]
    filter_horizontal = ["groups", "user_permissions"]


@admin.register(PhoneCode)
class PhoneCodeAdmin(admin.ModelAdmin):
    list_display = ["phone", "created_at", "expires_at", "attempts", "used_at", "requested_from"]
    search_fields = ["phone"]
    # The digest stays out of sight: with the secret key, a six-digit code is found from it in moments.
    exclude = ["digest"]
    readonly_fields = [f.name for f in PhoneCode._meta.fields if f.name != "digest"]


@admin.register(PhoneThrottle)
class PhoneThrottleAdmin(admin.ModelAdmin):
    """Support unlocks a phone by emptying `locked_until`."""

    list_display = ["phone", "day", "wrong_codes", "locked_until", "updated_at"]
    search_fields = ["phone"]
    readonly_fields = ["phone", "day", "wrong_codes", "updated_at"]


@admin.register(AddressThrottle)
class AddressThrottleAdmin(admin.ModelAdmin):
    list_display = ["address", "updated_at"]
    search_fields = ["address"]
    readonly_fields = ["address", "updated_at"]

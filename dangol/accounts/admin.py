from django.contrib import admin

from .models import PhoneCode, User


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
    readonly_fields = [f.name for f in PhoneCode._meta.fields]

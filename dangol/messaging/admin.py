from django.contrib import admin

from .models import InboxItem, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["store", "kind", "status", "send_at", "recipient_count"]
    list_filter = ["kind", "status"]
    search_fields = ["store__name", "body"]
    raw_id_fields = ["store", "created_by"]


@admin.register(InboxItem)
class InboxItemAdmin(admin.ModelAdmin):
    list_display = ["customer", "message", "visible_at", "read_at"]
    raw_id_fields = ["customer", "message"]

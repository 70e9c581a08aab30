from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    """Read-only: entries come only from Entry.append(), and never change."""

    list_display = ["seq", "created_at", "book", "kind", "amount", "memo", "reference"]
    list_filter = ["kind"]
    search_fields = ["book", "reference", "memo", "hash"]
    readonly_fields = ["seq", "book", "kind", "amount", "memo", "reference", "created_at", "prev_hash", "hash"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

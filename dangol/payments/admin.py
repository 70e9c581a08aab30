from django.contrib import admin

from .models import Payment, Refund


class RefundInline(admin.TabularInline):
    model = Refund
    extra = 0
    fields = ["created_at", "amount", "reason", "status", "failure_message"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    """Payments are records of what a provider did: read-only here."""

    list_display = ["created_at", "order_id", "provider", "amount", "status", "refunded_amount"]
    list_filter = ["provider", "status"]
    search_fields = ["order_id", "payment_key"]
    inlines = [RefundInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django import forms
from django.contrib import admin

from .models import Area, Commitment, Disbursement, Fund, Program
from .services import disbursement_check, disbursement_record


class AreaInline(admin.TabularInline):
    model = Area
    extra = 0
    fields = ["order", "name", "description"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "first_year", "years", "is_public", "public_id"]
    inlines = [AreaInline]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "fund", "order"]
    list_filter = ["fund"]
    inlines = [CommitmentInline]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "kpi_source", "budget", "is_public", "public_id"]
    list_filter = ["area__fund", "area", "kpi_source", "is_public"]
    search_fields = ["name", "public_id"]
    raw_id_fields = ["market"]


class DisbursementForm(forms.ModelForm):
    class Meta:
        model = Disbursement
        fields = ["program", "amount", "paid_on", "recipient", "memo"]

    def clean(self):
        data = super().clean()
        if not self.errors:
            for field, message in disbursement_check(**data).items():
                self.add_error(field, message)
        return data


@admin.register(Disbursement)
class DisbursementAdmin(admin.ModelAdmin):
    """Add only: a disbursement is also a public ledger line, so it is never changed or deleted."""

    form = DisbursementForm
    list_display = ["paid_on", "program", "amount", "recipient", "ledger_entry", "public_id"]
    list_filter = ["program__area__fund", "program__area"]
    search_fields = ["program__name", "recipient", "public_id"]
    raw_id_fields = ["program"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # The form checked the same rules; only a lost race for the commitment's last won fails here,
        # and then nothing is written.
        saved = disbursement_record(**form.cleaned_data, by=request.user)
        obj.pk, obj.public_id, obj.ledger_entry, obj.created_at = (
            saved.pk,
            saved.public_id,
            saved.ledger_entry,
            saved.created_at,
        )

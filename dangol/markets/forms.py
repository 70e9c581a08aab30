from django import forms

from .models import Market


class MarketPageForm(forms.ModelForm):
    class Meta:
        model = Market
        fields = ["name", "address", "opening_hours", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

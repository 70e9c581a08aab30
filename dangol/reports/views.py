from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dangol.lib.refusals import refusals_shown

from .access import moderated_target, reportable_message, reportable_store, require_moderator
from .forms import ReportForm
from .models import Target
from .services import report_file


def _report(request, reported, *, name, back):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request, form=form) as shown:
            report_file(reported=reported, by=request.user, **form.cleaned_data)
            messages.success(request, _("신고했습니다. 운영진이 확인하겠습니다."))
        if shown.ok:
            return redirect(back)
    return render(request, "reports/report.html", {"form": form, "name": name, "back": back})


@login_required
def store_report(request, public_id):
    store = reportable_store(request.user, public_id)
    return _report(request, store, name=store.name, back=store.get_absolute_url())


@login_required
def message_report(request, message_id):
    message = reportable_message(request.user, message_id)
    back = reverse("messaging:inbox_item", args=[message.public_id])
    return _report(request, message, name=_("{store}의 메시지").format(store=message.store.name), back=back)


@login_required
def moderation(request):
    require_moderator(request.user)
    if request.method == "POST":
        target = moderated_target(request.user, request.POST.get("id", ""))
        with refusals_shown(request):
            target.moderate(by=request.user, keep=request.POST.get("decision") == "keep")
            messages.success(request, _("처리했습니다."))
        return redirect("reports:moderation")
    targets = Target.objects.awaiting_moderation().for_queue()
    return render(request, "reports/moderation.html", {"targets": targets})

"""The one way a rule says no, and the one way each door shows it.

A model method or service raises `Refused` (or a subclass) with a Korean message
that is safe to show, the HTTP status for the API, and optionally the input at
fault. The API turns it into `{"detail": message, "errors": {field: [message]}}`
(see `dangol.api`); a page shows it with `refusals_shown`, as a flash line or on
the form it came from. The same words reach both doors.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError


class Refused(Exception):
    """A rule said no. `status`: the HTTP answer; `field`: the input at fault, if one is."""

    status = 400

    def __init__(self, message, *, status=None, field=None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.field = field

    @property
    def message(self):
        return str(self.args[0])

    def as_json(self):
        body = {"detail": self.message}
        if self.field:
            body["errors"] = {self.field: [self.message]}
        return body


class AlreadyDone(Refused):
    """Once only: this person already did it."""

    status = 409


class NotNow(Refused):
    """An outside party has not answered yet; the same request may work later."""

    status = 503


def validation_messages(error):
    """A ValidationError as {field: [messages]}, "__all__" for the ones about no field."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"__all__": error.messages}


class refusals_shown:
    """Catch a refusal raised inside the block and show it to the person on the page.

    With a form, a refusal or ValidationError lands on the form's fields (the view then
    renders the form again); without one, it becomes a flashed error line. Code after the
    failing call in the block does not run; `ok` tells afterwards whether it did.

        with refusals_shown(request):
            proposal.agree(user=request.user)
            messages.success(request, "동의했습니다.")
        return redirect(proposal)
    """

    def __init__(self, request, *, form=None):
        self.request = request
        self.form = form
        self.ok = True

    def __enter__(self):
        return self

    def __exit__(self, exc_type, error, traceback):
        if exc_type is None:
            return False
        if issubclass(exc_type, Refused):
            self.ok = False
            if self.form is not None:
                self.form.add_error(error.field if error.field in self.form.fields else None, error.message)
            else:
                messages.error(self.request, error.message)
            return True
        if issubclass(exc_type, ValidationError):
            self.ok = False
            for field, errors in validation_messages(error).items():
                if self.form is not None:
                    self.form.add_error(field if field in self.form.fields else None, errors)
                else:
                    for message in errors:
                        messages.error(self.request, message)
            return True
        return False

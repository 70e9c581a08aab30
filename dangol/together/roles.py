"""Who may do what in Together: reviewers (심사기관) are a Group staff assign in the admin;
moderators are staff."""

REVIEWERS = "심사기관"


def is_reviewer(user):
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=REVIEWERS).exists()


def is_moderator(user):
    return user.is_authenticated and user.is_active and user.is_staff

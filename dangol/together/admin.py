from django.contrib import admin

from .models import (
    Agreement,
    Comment,
    Donation,
    Expense,
    Fundraiser,
    MatchingGift,
    Participation,
    Payout,
    PayoutPlan,
    Proposal,
    ProposalEvent,
    ProposalImage,
    Report,
    Review,
    Rules,
    Sponsor,
    UsageReport,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened change only through the app's rules, never by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rules)
class RulesAdmin(admin.ModelAdmin):
    list_display = ["agreement_threshold", "agreement_window_days", "reports_to_hide", "usage_report_days"]

    def has_add_permission(self, request):
        return not Rules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class ProposalImageInline(admin.TabularInline):
    model = ProposalImage
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "agreement_count", "threshold", "agree_until", "moderation", "public_id"]
    list_filter = ["status", "moderation", "category"]
    search_fields = ["title", "beneficiary", "public_id"]
    raw_id_fields = ["proposer", "moderated_by"]
    inlines = [ProposalImageInline]
    # Status and counts move only through agreements and reviews.
    readonly_fields = [
        "status",
        "threshold",
        "agree_until",
        "agreement_count",
        "review_started_at",
        "closed_at",
        "report_count",
        "moderation",
        "moderated_by",
        "moderated_at",
    ]


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "created_at"]
    raw_id_fields = ["proposal", "user"]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "proposal", "kind", "actor"]
    list_filter = ["kind"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["proposal", "approved", "reviewer", "decided_at"]


class SponsorInline(admin.TabularInline):
    model = Sponsor
    extra = 0
    readonly_fields = ["participation_given", "matching_given"]


@admin.register(Fundraiser)
class FundraiserAdmin(admin.ModelAdmin):
    list_display = ["proposal", "status", "goal", "direct_total", "participation_total", "matching_total", "ends_at"]
    list_filter = ["status"]
    search_fields = ["proposal__title", "public_id"]
    inlines = [SponsorInline]
    # The goal is fixed and the totals come from gifts; extending the end date is done on the box's page.
    readonly_fields = [
        "proposal",
        "goal",
        "starts_at",
        "ends_at",
        "status",
        "closed_at",
        "direct_total",
        "participation_total",
        "matching_total",
        "report_due_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    list_display = ["name", "box", "participation_given", "participation_cap", "matching_given", "matching_cap"]
    raw_id_fields = ["box"]
    readonly_fields = ["participation_given", "matching_given"]


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "box", "amount", "status", "refunded_amount", "matched_amount", "public_id"]
    list_filter = ["status"]
    search_fields = ["public_id", "payment__order_id"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "box", "action", "sponsor", "amount"]
    list_filter = ["action"]


@admin.register(MatchingGift)
class MatchingGiftAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "donation", "sponsor", "amount"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["created_at", "box", "author_label", "moderation", "report_count"]
    list_filter = ["moderation"]
    readonly_fields = ["box", "author", "donation", "report_count", "moderated_by", "moderated_at"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "reason", "proposal", "comment"]
    list_filter = ["reason"]


@admin.register(PayoutPlan)
class PayoutPlanAdmin(ReadOnlyAdmin):
    list_display = ["box", "status", "submitted_at", "decided_at"]


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["box", "amount", "paid_at", "recorded_by"]


class ExpenseInline(admin.TabularInline):
    model = Expense
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UsageReport)
class UsageReportAdmin(ReadOnlyAdmin):
    list_display = ["box", "submitted_at"]
    inlines = [ExpenseInline]

"""Donation receipts (기부 영수증) as PDF, from the donation and its ledger line."""

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from dangol.lib.pdf import Heading, Rule, Space, Table, Text, render_pdf
from dangol.lib.seoul import to_seoul

from .models.base import won


def donation_receipt_pdf(donation, *, large_print=False):
    box = donation.box
    proposal = box.proposal
    entry = donation.ledger_line()
    rows = [
        (_("영수증 번호"), donation.public_id),
        (_("기부자"), donation.donor_label or _("이웃")),
        (_("모금함"), proposal.title),
        (_("수혜 단체"), proposal.beneficiary),
        (_("기부일"), date_format(to_seoul(donation.paid_at), _("Y년 m월 d일 H:i"))),
        (_("기부 금액"), won(donation.amount)),
    ]
    if donation.refunded_amount:
        rows += [
            (_("환불 금액"), won(donation.refunded_amount)),
            (_("최종 기부 금액"), won(donation.net_amount)),
        ]
    if donation.matched_amount:
        rows.append((_("후원 기관 매칭"), won(donation.matched_amount)))
    rows.append((_("공개 표시"), _("익명") if donation.anonymous else str(donation.public_name)))
    blocks = [
        Heading(_("기부 영수증")),
        Text(_("같이 모금함에 기부해 주셔서 감사합니다. 아래와 같이 기부를 받았음을 확인합니다.")),
        Space(),
        Table(rows, widths=(1, 2)),
    ]
    if entry is not None:
        blocks += [
            Space(),
            Heading(_("공개 장부 기록"), level=2),
            Text(
                _("이 기부는 공개 장부 {seq}번째 기록입니다. 이름과 번호 없이 금액만 공개됩니다.").format(seq=entry.seq)
            ),
            Text(f"{entry.book} · {entry.hash}", size=9),
        ]
    blocks += [
        Rule(),
        Text(
            _("연말정산용 기부금 영수증은 수혜 단체({beneficiary})가 발급합니다.").format(
                beneficiary=proposal.beneficiary
            ),
            size=10,
        ),
        Text(_("단골 · 같이"), size=10, align="R"),
    ]
    return render_pdf(title=_("기부 영수증 {id}").format(id=donation.public_id), blocks=blocks, large_print=large_print)

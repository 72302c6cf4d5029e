"""Voided carton labels: a label declared void (torn, wrong, lost, a copy too many) makes loading refuse
its carton until a new label was printed for it. Plain Python over the models, no Flask."""

from __future__ import annotations

from db import write_transaction
from db.models import Carton, LabelVoid, utcnow
from kiosk.i18n import Msg, msg


class VoidRefused(ValueError):
    def __init__(self, message: Msg):
        super().__init__(message.key)
        self.message = message


def void_label(carton_code: str, reason: str, by: str) -> LabelVoid:
    """Declare the carton's label void; loading refuses the carton until a replacement is printed."""
    reason = " ".join((reason or "").split())
    code = (carton_code or "").strip()[:32]
    if not reason:
        raise VoidRefused(msg("Say why the label is void (torn, wrong, printed twice ...)"))
    with write_transaction():
        carton = Carton.get_or_none(Carton.code == code)
        if carton is None:
            raise VoidRefused(msg("No carton has the code {code} - check the label", code=code or "-"))
        current = active_void(carton)
        if current is not None:
            raise VoidRefused(msg("The label of carton {carton} is already void ({reason})", carton=code,
                                  reason=current.reason))
        return LabelVoid.create(carton=carton, reason=reason[:128], voided_by=(by or "")[:64])


def active_void(carton: Carton) -> LabelVoid | None:
    rows = list(LabelVoid.select().where(LabelVoid.carton == carton, LabelVoid.cleared_at.is_null())
                .order_by(LabelVoid.id.desc()).limit(1))
    return rows[0] if rows else None


def cleared_by_reprint(cartons: list[Carton]) -> int:
    """A new label was queued for these cartons: their voided labels no longer hold them back."""
    if not cartons:
        return 0
    from db.models import PrintJob

    with write_transaction():
        cleared = 0
        for carton in cartons:
            rows = list(PrintJob.select(PrintJob.id).where(PrintJob.document == f"carton {carton.code}")
                        .order_by(PrintJob.id.desc()).limit(1))
            cleared += LabelVoid.update(cleared_at=utcnow(), cleared_by_job=rows[0].id if rows else None).where(
                LabelVoid.carton == carton, LabelVoid.cleared_at.is_null()).execute()
    return cleared


def voided_labels(limit: int = 50) -> list[LabelVoid]:
    """Voided labels, the ones still holding a carton back first, newest first."""
    return list(LabelVoid.select(LabelVoid, Carton).join(Carton)
                .order_by(LabelVoid.cleared_at.is_null(False), LabelVoid.id.desc()).limit(limit))

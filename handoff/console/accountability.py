"""Who may act on a ticket, and what the console says about refusals.

A ticket a colleague holds (active, assigned to someone else) can be replied to, closed or
transferred only after an explicit take-over, which is written to the access log; admins may
still transfer it (to rebalance the queue). Errors and notices travel in the ticket page's URL
as codes, and the page shows the fixed text of a code, never words from the URL."""

from __future__ import annotations

from core.clock import utc_now
from core.db import session_scope
from handoff.auth import StaffView
from handoff.models import ACTIVE
from handoff.settings import database_url
from handoff.staff_ops import visible_ticket
from handoff.tickets import TicketError

HOLDER_ONLY = {"reply", "close", "transfer"}
HELD = "this ticket is held by a colleague: take it over first"

NOTICE_CODES = {"claimed", "sent", "undelivered", "transferred", "closed", "taken_over", "created"}
# Error code -> the fixed text shown; a refusal is matched to its code by its opening words.
ERROR_TEXTS = {
    "held": HELD,
    "not_claimable": "only a waiting ticket or a left message can be claimed",
    "closed": "the ticket is closed",
    "no_colleague": "no such colleague",
    "other_center": "that colleague works for another center",
    "choose": "choose a colleague or the queue",
    "empty_reply": "the reply is empty",
    "reply_too_long": "the reply is too long",
    "note_required": "a resolution note is required to close a ticket",
    "note_too_long": "the note is too long",
    "bad_tag": "tags are 1–32 letters, digits or '-'",
    "not_held": "only an active ticket held by a colleague can be taken over",
    "refused": "the request was refused",
}
_OPENINGS = (
    ("this ticket is held", "held"),
    ("only a waiting ticket", "not_claimable"),
    ("a closed ticket", "closed"),
    ("the ticket is", "closed"),
    ("no such colleague", "no_colleague"),
    ("that colleague", "other_center"),
    ("choose a colleague", "choose"),
    ("the reply is empty", "empty_reply"),
    ("the reply is longer", "reply_too_long"),
    ("a resolution note", "note_required"),
    ("the note is longer", "note_too_long"),
    ("tag ", "bad_tag"),
    ("only an active ticket", "not_held"),
)


def error_code(message: str) -> str:
    """The code of a refusal's message ("refused" when it is not one of the known ones)."""
    return next((code for opening, code in _OPENINGS if message.startswith(opening)), "refused")


def error_text(code: str) -> str:
    """The fixed text of a code from the URL ("" for none, the generic text for unknown)."""
    return ERROR_TEXTS.get(code, ERROR_TEXTS["refused"]) if code else ""


def ticket_held_by_other(staff: StaffView, ticket_id: int, url: str | None = None) -> bool:
    """True when the ticket is active and assigned to someone else (the page offers a take-over)."""
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        return ticket.status == ACTIVE and ticket.assignee_id not in (None, staff.id)


def require_holder(staff: StaffView, ticket_id: int, url: str | None = None) -> None:
    """TicketError unless ``staff`` holds the ticket, nobody does, or it is an admin."""
    if ticket_held_by_other(staff, ticket_id, url) and not staff.is_admin:
        raise TicketError(HELD)


def take_over(staff: StaffView, ticket_id: int, url: str | None = None) -> None:
    """Take an active ticket a colleague holds (the caller logs it)."""
    with session_scope(database_url(url)) as session:
        ticket = visible_ticket(session, staff, ticket_id)
        if ticket.status != ACTIVE or ticket.assignee_id in (None, staff.id):
            raise TicketError("only an active ticket held by a colleague can be taken over")
        ticket.assignee_id = staff.id
        ticket.updated_at = utc_now()

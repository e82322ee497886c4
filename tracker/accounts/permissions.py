"""Who may see and do what. Every view asks here; nothing is decided in templates.

Rules:
- admin manages users and units and sees everything read-only;
- office and leader see every plan and task;
- a liaison sees only the tasks where its unit, or a unit its unit succeeded in a
  reorganisation, is the lead unit or a co-unit.
"""

from functools import wraps

from flask import abort, has_request_context, request
from flask_login import current_user, login_required

from tracker.accounts.models import Role, User
from tracker.kept import kept
from tracker.units.rules import predecessor_closure
from tracker.units.services import moved_units


def role_required(*roles: Role):
    """View decorator: signed in and holding one of the roles, else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def unit_scope(user: User) -> set[int] | None:
    """Unit ids whose tasks the user may see; None means all (office, leader, admin)."""
    if not user.has_role(Role.LIAISON):
        return None
    if user.unit_id is None:
        return set()
    return predecessor_closure(user.unit_id, request_successor_map())


def request_successor_map() -> dict[int, int]:
    """The reorganised units' successors (units.services.moved_units: enough for the unit
    rules), read once a request and kept on the request itself, so a test's long-lived app
    context never sees an old answer; outside a request, every time. The liaison's task page
    asked for the scope three times, and the month page and its save from several places
    (issue 13). Do not iterate it as the list of units."""
    if not has_request_context():
        return moved_units()
    memo = request.__dict__
    if "_tracker_successor_map" not in memo:
        # kept by the process while no unit changes (tracker.kept): shared, never changed
        memo["_tracker_successor_map"] = kept("successors", None, moved_units, size=2)
    return memo["_tracker_successor_map"]


def current_scope() -> set[int] | None:
    return unit_scope(current_user)

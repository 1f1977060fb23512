"""The conversation state machine: one transitions table, checked by every state change.

Pure Python (no Django import), so the table is the single place that says what may follow
what; ``actions.do_transition`` asks :func:`check` and then *adds* a history row (the history
is never edited: it is the audit trail and the archive's source).
"""

from __future__ import annotations

import enum


class State(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING_CUSTOMER = "waiting_customer"
    WAITING_COLLEAGUE = "waiting_colleague"
    RESOLVED = "resolved"
    CLOSED = "closed"


# What may follow each state. Resolved and closed go back to open when the customer writes
# again (a reopening); "new" may be resolved directly when nothing needs answering (praise).
ALLOWED_TRANSITIONS: dict[State, frozenset[State]] = {
    State.NEW: frozenset({State.OPEN, State.RESOLVED}),
    State.OPEN: frozenset({State.WAITING_CUSTOMER, State.WAITING_COLLEAGUE, State.RESOLVED}),
    State.WAITING_CUSTOMER: frozenset({State.OPEN, State.RESOLVED}),
    State.WAITING_COLLEAGUE: frozenset({State.OPEN, State.RESOLVED}),
    State.RESOLVED: frozenset({State.CLOSED, State.OPEN}),
    State.CLOSED: frozenset({State.OPEN}),
}

# States in which the conversation still needs someone from the team.
ACTIVE_STATES = frozenset({State.NEW, State.OPEN, State.WAITING_COLLEAGUE})
WAITING_STATES = frozenset({State.WAITING_CUSTOMER, State.WAITING_COLLEAGUE})
DONE_STATES = frozenset({State.RESOLVED, State.CLOSED})


class InvalidTransition(ValueError):
    """A state change the table does not allow; the message names both states."""

    def __init__(self, current: str, target: str) -> None:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS.get(State(current), ()))) \
            if current in State._value2member_map_ else ""
        super().__init__(
            f"A conversation cannot go from {current!r} to {target!r}"
            + (f"; from {current!r} it may go to: {allowed}." if allowed else ".")
        )
        self.current = current
        self.target = target


def can_transition(current: str, target: str) -> bool:
    try:
        return State(target) in ALLOWED_TRANSITIONS[State(current)]
    except (ValueError, KeyError):
        return False


def check(current: str, target: str) -> State:
    """Return the target state, or raise :class:`InvalidTransition`."""
    if not can_transition(current, target):
        raise InvalidTransition(current, target)
    return State(target)


def path_to(current: str, target: str) -> list[State]:
    """The shortest list of allowed steps from ``current`` to ``target`` (empty if equal).

    Used when an action implies a state (sending a reply from "new" passes through "open").
    Raises :class:`InvalidTransition` when no path exists.
    """
    start, goal = State(current), State(target)
    if start == goal:
        return []
    frontier: list[list[State]] = [[start]]
    seen = {start}
    while frontier:
        nxt: list[list[State]] = []
        for path in frontier:
            for step in sorted(ALLOWED_TRANSITIONS[path[-1]]):
                if step in seen:
                    continue
                if step == goal:
                    return [*path[1:], step]
                seen.add(step)
                nxt.append([*path, step])
        frontier = nxt
    raise InvalidTransition(current, target)

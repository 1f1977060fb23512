"""The inbox's tables: contacts, conversations and their history, replies, policy, search."""

from samen.inbox.models.contacts import Contact, ContactEvent, ContactHandle, ContactKind
from samen.inbox.models.conversations import (
    Conversation,
    ConversationEvent,
    ConversationPost,
    EventKind,
    Priority,
)
from samen.inbox.models.people import Availability, Notice, Presence, SavedFilter, Team
from samen.inbox.models.policy import RoutingRule, SavedReply, SlaTarget
from samen.inbox.models.replies import Reply, ReplyState
from samen.inbox.models.search import SearchEntry
from samen.inbox.models.summary import (
    ConversationDay,
    ConversationSpan,
    DaySummaryState,
    DirtyConversationDay,
    SpanMeasure,
)

__all__ = [
    "Availability", "Contact", "ContactEvent", "ContactHandle", "ContactKind", "Conversation",
    "ConversationDay", "ConversationEvent", "ConversationPost", "ConversationSpan",
    "DaySummaryState", "DirtyConversationDay", "EventKind", "Notice", "Presence", "Priority",
    "Reply", "ReplyState", "RoutingRule", "SavedFilter", "SavedReply", "SearchEntry",
    "SlaTarget", "SpanMeasure", "Team",
]

"""The database: SQLAlchemy 2 async models (one module per entity family), engine, migrations, queries."""

from shared.db.agents import AgentRow
from shared.db.audit import AdminAudit
from shared.db.base import Base
from shared.db.conversations import Conversation
from shared.db.engine import get_engine, make_engine, make_sessionmaker
from shared.db.events import StoredEvent
from shared.db.knowledge import KnowledgeDocument
from shared.db.messages import Message
from shared.db.tenants import TenantRow
from shared.db.visitors import Visitor
from shared.db.webhooks import WebhookDelivery

__all__ = (
    "AdminAudit",
    "AgentRow",
    "Base",
    "Conversation",
    "KnowledgeDocument",
    "Message",
    "StoredEvent",
    "TenantRow",
    "Visitor",
    "WebhookDelivery",
    "get_engine",
    "make_engine",
    "make_sessionmaker",
)

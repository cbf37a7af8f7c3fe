"""factory_boy factories, one module per app; import them from here."""

from tests.factories.accounts import BlockFactory, UserFactory
from tests.factories.chats import DialogFactory, GroupFactory, MessageFactory

__all__ = ["BlockFactory", "DialogFactory", "GroupFactory", "MessageFactory", "UserFactory"]

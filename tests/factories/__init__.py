"""factory_boy factories, one module per app; import them from here."""

from tests.factories.accounts import BlockFactory, UserFactory

__all__ = ["BlockFactory", "UserFactory"]

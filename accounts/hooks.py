"""Points of the accounts services that higher layers answer (messenger/hooks.py); each is
called inside the service's transaction with the keyword arguments named here."""

from messenger.hooks import Hook

block_created = Hook("block_created")  # blocker, blocked (a new block, not a repeated one)
block_deleted = Hook("block_deleted")  # blocker, blocked (a block that stood was lifted)

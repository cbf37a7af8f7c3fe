"""Every write about chats (transitional: the whole module, to be split by domain)."""

from chats.services.messages import *  # noqa: F403

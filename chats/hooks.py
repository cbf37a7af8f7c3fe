"""Points of the chat services that higher layers answer (messenger/hooks.py); each is called
inside the service's transaction with the keyword arguments named here."""

from messenger.hooks import Hook

message_sent = Hook("message_sent")  # message, chat, reply_to (the quoted message or None)
members_added = Hook("members_added")  # actor, chat, users (added to a group)
call_missed = Hook("call_missed")  # caller, chat, message (the call's record)

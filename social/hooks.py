"""Points of the social services that higher layers answer (messenger/hooks.py); each is
called inside the service's transaction with the keyword arguments named here."""

from messenger.hooks import Hook

friend_request_sent = Hook("friend_request_sent")  # from_user, to_user
friend_request_withdrawn = Hook("friend_request_withdrawn")  # from_user, to_user
friend_request_accepted = Hook("friend_request_accepted")  # user, requester
friend_request_declined = Hook("friend_request_declined")  # user, requester
post_liked = Hook("post_liked")  # user, post
comment_created = Hook("comment_created")  # comment, post

"""What apps do when a user's socket opens or closes; the realtime core names no app.

Apps connect receivers in AppConfig.ready() (accounts counts presence). Receivers are sync
functions (they use the database); the consumer runs them on the socket thread pool:
`connected(user_id=…)` right after `hello`, `disconnected(user_id=…, sockets_left_here=…)`
REALTIME["PRESENCE_GRACE_SECONDS"] after the close, because every page load closes a tab's
socket and opens a new one. A receiver that fails is logged; it never closes a socket.
"""

from messenger.hooks import Hook

connected = Hook("socket_connected")  # user_id
disconnected = Hook("socket_disconnected")  # user_id, sockets_left_here: that user's sockets
# still open in this process

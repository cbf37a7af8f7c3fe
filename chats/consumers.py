"""Chat frame handlers for the realtime consumer (messenger/realtime/consumer.py)."""

"""On PostgreSQL, trigram indexes on the folded text that post and board search match against
(see messenger.search: why trigrams and not full-text search). No-ops on SQLite."""

from django.db import migrations

from messenger.search import TrigramSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("social", "0003_board"),
        # Creates pg_trgm (for people search). Not created here too: undoing this migration
        # would then drop the extension under the people search index.
        ("accounts", "0003_user_search_trigram"),
    ]

    operations = [
        TrigramSearchIndex(model_name="post", fields=["text"], name="post_search_trgm"),
        TrigramSearchIndex(model_name="topic", fields=["title", "body"], name="topic_search_trgm"),
        TrigramSearchIndex(model_name="reply", fields=["text"], name="reply_search_trgm"),
    ]

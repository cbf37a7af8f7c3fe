"""Social content in the Django admin. Deleting goes through the staff removal service (files
removed, live viewers told, written to the moderation log): moderation/admin.py gives these
admins that deletion, as the layer above that owns it."""

from django.contrib import admin

from social.models import (
    Comment,
    FriendRequest,
    Friendship,
    Post,
    PostLike,
    PostPhoto,
    Reply,
    ReplyPhoto,
    Topic,
    TopicPhoto,
)


class PostPhotoInline(admin.TabularInline):
    model = PostPhoto
    extra = 0
    readonly_fields = ["image", "thumbnail", "width", "height", "position"]


class TopicPhotoInline(PostPhotoInline):
    model = TopicPhoto


class ReplyPhotoInline(PostPhotoInline):
    model = ReplyPhoto


class StaffRemovalAdmin(admin.ModelAdmin):
    """Content whose deletion moderation.admin routes through the removal service for
    `report_kind`."""

    report_kind = ""

    def get_deleted_objects(self, objs, request):
        # Likes, photos and comments go with their post as part of the removal service: the
        # moderator needs the permission to remove the post, not one per kind of row under it.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected


@admin.register(Post)
class PostAdmin(StaffRemovalAdmin):
    report_kind = "post"
    list_display = ["id", "author", "audience", "created_at", "text"]
    list_filter = ["audience", "created_at"]
    search_fields = ["text", "author__username"]
    list_select_related = ["author"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author"]
    inlines = [PostPhotoInline]


@admin.register(Comment)
class CommentAdmin(StaffRemovalAdmin):
    report_kind = "comment"
    list_display = ["id", "author", "post", "created_at", "text"]
    list_filter = ["created_at"]
    search_fields = ["text", "author__username"]
    list_select_related = ["author", "post__author"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author"]
    raw_id_fields = ["post"]


@admin.register(Topic)
class TopicAdmin(StaffRemovalAdmin):
    report_kind = "topic"
    list_display = ["id", "title", "author", "created_at", "last_activity_at"]
    list_filter = ["created_at"]
    search_fields = ["title", "body", "author__username"]
    list_select_related = ["author"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author"]
    inlines = [TopicPhotoInline]


@admin.register(Reply)
class ReplyAdmin(StaffRemovalAdmin):
    report_kind = "reply"
    list_display = ["id", "topic", "author", "created_at", "text"]
    list_filter = ["created_at"]
    search_fields = ["text", "author__username", "topic__title"]
    list_select_related = ["author", "topic"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["author"]
    raw_id_fields = ["topic"]
    inlines = [ReplyPhotoInline]


@admin.register(FriendRequest)
class FriendRequestAdmin(admin.ModelAdmin):
    list_display = ["from_user", "to_user", "created_at"]
    search_fields = ["from_user__username", "to_user__username"]
    list_select_related = ["from_user", "to_user"]
    autocomplete_fields = ["from_user", "to_user"]


@admin.register(Friendship)
class FriendshipAdmin(admin.ModelAdmin):
    list_display = ["user", "friend", "created_at"]
    search_fields = ["user__username", "friend__username"]
    list_select_related = ["user", "friend"]
    autocomplete_fields = ["user", "friend"]


@admin.register(PostLike)
class PostLikeAdmin(admin.ModelAdmin):
    list_display = ["user", "post", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user", "post"]
    autocomplete_fields = ["user"]
    raw_id_fields = ["post"]


class PhotoAdmin(admin.ModelAdmin):
    """Photos are uploaded with their post, topic or reply (re-encoded there): view only."""

    list_display = ["id", "image", "width", "height", "position"]
    readonly_fields = ["image", "thumbnail", "width", "height", "position"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PostPhoto)
class PostPhotoAdmin(PhotoAdmin):
    list_display = [*PhotoAdmin.list_display, "post"]
    raw_id_fields = ["post"]


@admin.register(TopicPhoto)
class TopicPhotoAdmin(PhotoAdmin):
    list_display = [*PhotoAdmin.list_display, "topic"]
    raw_id_fields = ["topic"]


@admin.register(ReplyPhoto)
class ReplyPhotoAdmin(PhotoAdmin):
    list_display = [*PhotoAdmin.list_display, "reply"]
    raw_id_fields = ["reply"]

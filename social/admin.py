"""Moderation of social content in the Django admin."""

from django.contrib import admin

from social.models import (
    Comment,
    FriendRequest,
    Friendship,
    Post,
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


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "audience", "created_at", "text"]
    list_filter = ["audience"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["author"]
    inlines = [PostPhotoInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["id", "author", "post", "created_at", "text"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["author", "post"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["id", "title", "author", "created_at", "last_activity_at"]
    search_fields = ["title", "body", "author__username"]
    raw_id_fields = ["author"]
    inlines = [TopicPhotoInline]


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "author", "created_at", "text"]
    search_fields = ["text", "author__username"]
    raw_id_fields = ["author", "topic"]
    inlines = [ReplyPhotoInline]


@admin.register(FriendRequest)
class FriendRequestAdmin(admin.ModelAdmin):
    list_display = ["from_user", "to_user", "created_at"]
    raw_id_fields = ["from_user", "to_user"]


@admin.register(Friendship)
class FriendshipAdmin(admin.ModelAdmin):
    list_display = ["user", "friend", "created_at"]
    raw_id_fields = ["user", "friend"]

"""Routes of the server-rendered web UI (Mastodon-like paths)."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from parley.web import views, views_data, views_discovery, views_member

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("signup", views.signup, name="signup"),
    path("public", views.public, name="public"),
    path("tags/<str:name>", views.tag, name="tag"),
    re_path(r"^tags/(?P<name>[^/]+)/(?P<action>follow|unfollow)$", views_discovery.follow_tag,
            name="follow_tag"),
    re_path(r"^tags/(?P<name>[^/]+)/(?P<action>feature|unfeature)$",
            views_discovery.feature_tag, name="feature_tag"),
    re_path(r"^@(?P<username>\w+)/(?P<action>endorse|unendorse)$",
            views_discovery.endorse_account, name="endorse_account"),
    path("followed_tags", views_discovery.followed_tags, name="followed_tags"),
    path("explore", views_discovery.explore, name="explore"),
    path("announcements/<int:announcement_id>/dismiss", views_discovery.dismiss_announcement,
         name="dismiss_announcement"),
    path("notifications", views.notifications, name="notifications"),
    path("search", views.search, name="search"),
    path("follow_requests", views.follow_requests, name="follow_requests"),
    re_path(r"^follow_requests/@(?P<username>\w+)/(?P<answer>authorize|reject)$",
            views.answer_follow_request, name="answer_follow_request"),
    path("conversations", views_member.conversations, name="conversations"),
    path("conversations/<int:conversation_id>", views_member.conversation, name="conversation"),
    path("conversations/<int:conversation_id>/remove", views_member.hide_conversation,
         name="hide_conversation"),
    path("bookmarks", views_member.bookmarks, name="bookmarks"),
    path("lists", views_member.lists, name="lists"),
    path("lists/<int:list_id>", views_member.list_page, name="list"),
    path("lists/<int:list_id>/rename", views_member.rename_list, name="rename_list"),
    path("lists/<int:list_id>/delete", views_member.delete_list, name="delete_list"),
    path("lists/<int:list_id>/members", views_member.list_members, name="list_members"),
    path("polls/<int:poll_id>/vote", views_member.poll_vote, name="poll_vote"),
    path("home/new", views_member.home_new, name="home_new"),
    path("filters", views_member.filters, name="filters"),
    path("filters/<int:filter_id>/delete", views_member.delete_filter, name="delete_filter"),
    path("settings/profile", views.settings_profile, name="settings"),
    path("settings/password", views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/data", views_data.data_settings, name="settings_data"),
    path("settings/delete", views.settings_delete, name="settings_delete"),
    path("settings/data/archive", views_data.export_archive, name="export_archive"),
    path("settings/data/<str:filename>", views_data.export_list, name="export_list"),
    path("password/reset", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent", auth_views.PasswordResetDoneView.as_view(
        template_name="web/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete", auth_views.PasswordResetCompleteView.as_view(
        template_name="web/password_reset_complete.html"), name="password_reset_complete"),
    path("confirm/resend", views.resend_confirmation, name="resend_confirmation"),
    path("confirm/<str:token>", views.confirm_email, name="confirm_email"),
    path("compose", views.compose, name="compose"),
    path("posts/<int:post_id>/edit", views.edit_post, name="edit"),
    re_path(r"^posts/(?P<post_id>\d+)/(?P<action>like|unlike|echo|unecho|bookmark|unbookmark|pin"
            r"|unpin|delete)$",
            views.post_action, name="post_action"),
    re_path(r"^@(?P<username>\w+)$", views.profile, name="profile"),
    re_path(r"^@(?P<username>\w+)/(?P<post_id>\d+)$", views.thread, name="post"),
    re_path(r"^@(?P<username>\w+)/report$", views.report, name="report"),
    re_path(r"^@(?P<username>\w+)/(?P<action>follow|unfollow|block|unblock|mute|unmute)$",
            views.account_action, name="account_action"),
]

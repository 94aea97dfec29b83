"""Routes of the server-rendered web UI (Mastodon-like paths)."""

from django.contrib.auth import views as auth_views
from django.urls import path, re_path

from parley.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("signup", views.signup, name="signup"),
    path("public", views.public, name="public"),
    path("tags/<str:name>", views.tag, name="tag"),
    path("notifications", views.notifications, name="notifications"),
    path("search", views.search, name="search"),
    path("settings/profile", views.settings_profile, name="settings"),
    path("compose", views.compose, name="compose"),
    path("posts/<int:post_id>/edit", views.edit_post, name="edit"),
    re_path(r"^posts/(?P<post_id>\d+)/(?P<action>like|unlike|echo|unecho|delete)$",
            views.post_action, name="post_action"),
    re_path(r"^@(?P<username>\w+)$", views.profile, name="profile"),
    re_path(r"^@(?P<username>\w+)/(?P<post_id>\d+)$", views.thread, name="post"),
    re_path(r"^@(?P<username>\w+)/report$", views.report, name="report"),
    re_path(r"^@(?P<username>\w+)/(?P<action>follow|unfollow|block|unblock|mute|unmute)$",
            views.account_action, name="account_action"),
]

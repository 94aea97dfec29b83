"""Routes of trust & safety: notice form, notifier API, moderator console, statements."""

from django.urls import path

from parley.safety.transparency.urls import urlpatterns as transparency_urls
from parley.safety.web import views

app_name = "safety"

urlpatterns = [
    *transparency_urls,
    path("notice", views.notice, name="notice"),
    path("notice/<str:receipt>", views.notice_status, name="notice_status"),
    path("statements", views.statements, name="statements"),
    path("statements/<int:statement_id>", views.statement, name="statement"),
    path("statements/<int:statement_id>/appeal", views.appeal, name="appeal"),
    path("moderation/", views.queue, name="queue"),
    path("moderation/bulk", views.bulk, name="bulk"),
    path("moderation/cases/<int:case_id>", views.case_page, name="case"),
    path("moderation/cases/<int:case_id>/claim", views.claim, name="claim"),
    path("moderation/cases/<int:case_id>/unclaim", views.claim, {"release": True},
         name="unclaim"),
    path("moderation/cases/<int:case_id>/act", views.act, name="act"),
    path("moderation/cases/<int:case_id>/cluster", views.cluster, name="cluster"),
    path("moderation/cases/<int:case_id>/referral", views.referral, name="referral"),
    path("moderation/cases/<int:case_id>/referrals/<int:referral_id>",
         views.referral_download, name="referral_download"),
    path("moderation/appeals", views.appeals, name="appeals"),
    path("moderation/rules", views.rules, name="rules"),
    path("moderation/rules/<int:rule_id>", views.rule_edit, name="rule_edit"),
    path("moderation/rules/<int:rule_id>/remove", views.rule_remove, name="rule_remove"),
    path("moderation/appeals/<int:appeal_id>", views.decide, name="decide"),
]

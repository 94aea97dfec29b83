"""Routes of the Mastodon-compatible client API and OAuth2. Trailing slashes are optional."""

from django.urls import re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularRedocView

from parley.api import views_accounts as accounts
from parley.api import views_admin as admin
from parley.api import views_conversations as conversations
from parley.api import views_discovery as discovery
from parley.api import views_filters as filters
from parley.api import views_lists as lists
from parley.api import views_misc as misc
from parley.api import views_notifications as notifications
from parley.api import views_notifier as notifier
from parley.api import views_oauth as oauth
from parley.api import views_polls as polls
from parley.api import views_safety as safety
from parley.api import views_scheduled as scheduled
from parley.api import views_social as social
from parley.api import views_statuses as statuses
from parley.api import views_timelines as timelines

# ASCII digits only: \d would also match other scripts' digits, which are not ids.
ID = r"(?P<{}>[0-9]+)"
RECEIPT = r"(?P<receipt>[0-9a-f]+)"
# A notification group's key: ``favourite-<post>-<hour>``, ``follow-<hour>``, ``ungrouped-<id>``.
GROUP_KEY = r"(?P<group_key>[a-z_.]+-[0-9-]+)"


def route(pattern: str, view, name: str | None = None):
    return re_path(rf"^{pattern}/?$", view, name=name)


urlpatterns = [
    route("oauth/authorize", oauth.AuthorizationView.as_view(), "oauth-authorize"),
    route("oauth/token", oauth.TokenView.as_view(), "oauth-token"),
    route("oauth/revoke", oauth.RevokeTokenView.as_view(), "oauth-revoke"),
    route("oauth/userinfo", oauth.UserinfoView.as_view(), "oauth-userinfo"),
    route(r"\.well-known/oauth-authorization-server", oauth.authorization_server_metadata),
    route("api/openapi.json", SpectacularJSONAPIView.as_view(), "openapi"),
    route(
        "api/docs",
        SpectacularRedocView.as_view(url_name="openapi", template_name="api/redoc.html"),
        "api-docs",
    ),
    route("api/v1/apps", misc.AppsView.as_view()),
    route("api/v1/apps/verify_credentials", misc.AppVerifyView.as_view()),
    route("api/v1/instance", misc.InstanceV1View.as_view()),
    route("api/v2/instance", misc.InstanceV2View.as_view()),
    route("api/v1/instance/rules", misc.InstanceRulesView.as_view()),
    route("api/v1/custom_emojis", misc.EmptyListView.as_view()),
    route("api/v1/filters", filters.V1FiltersView.as_view()),
    route(f"api/v1/filters/{ID.format('keyword_id')}", filters.V1FilterView.as_view()),
    route("api/v2/filters", filters.FiltersView.as_view()),
    route(f"api/v2/filters/{ID.format('filter_id')}", filters.FilterView.as_view()),
    route(
        f"api/v2/filters/{ID.format('filter_id')}/keywords", filters.FilterKeywordsView.as_view()
    ),
    route(
        f"api/v2/filters/keywords/{ID.format('keyword_id')}", filters.FilterKeywordView.as_view()
    ),
    route(
        f"api/v2/filters/{ID.format('filter_id')}/statuses", filters.FilterStatusesView.as_view()
    ),
    route(
        f"api/v2/filters/statuses/{ID.format('filter_status_id')}",
        filters.FilterStatusView.as_view(),
    ),
    route("api/v1/lists", lists.ListsView.as_view()),
    route(f"api/v1/lists/{ID.format('list_id')}", lists.ListView.as_view()),
    route(f"api/v1/lists/{ID.format('list_id')}/accounts", lists.ListAccountsView.as_view()),
    route("api/v1/follow_requests", accounts.FollowRequestsView.as_view()),
    route(
        f"api/v1/follow_requests/{ID.format('account_id')}/authorize",
        accounts.FollowRequestAnswerView.as_view(),
    ),
    route(
        f"api/v1/follow_requests/{ID.format('account_id')}/reject",
        accounts.FollowRequestAnswerView.as_view(authorize=False),
    ),
    route("api/v1/markers", misc.MarkersView.as_view()),
    route("api/v1/preferences", misc.PreferencesView.as_view()),
    route("api/v2/search", misc.SearchView.as_view()),
    route("api/v1/reports", misc.ReportsView.as_view()),
    # accounts
    route("api/v1/accounts", accounts.RegisterAccountView.as_view()),
    route("api/v1/accounts/verify_credentials", accounts.VerifyCredentialsView.as_view()),
    route("api/v1/accounts/update_credentials", accounts.UpdateCredentialsView.as_view()),
    route("api/v1/accounts/relationships", accounts.RelationshipsView.as_view()),
    route("api/v1/accounts/lookup", accounts.AccountLookupView.as_view()),
    route("api/v1/accounts/search", accounts.AccountSearchView.as_view()),
    route(f"api/v1/accounts/{ID.format('account_id')}", accounts.AccountView.as_view()),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/statuses",
        accounts.AccountStatusesView.as_view(),
    ),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/lists", lists.AccountListsView.as_view()
    ),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/followers",
        accounts.AccountRelationListView.as_view(relation="followers"),
    ),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/following",
        accounts.AccountRelationListView.as_view(relation="following"),
    ),
    *[
        route(
            f"api/v1/accounts/{ID.format('account_id')}/{action}",
            accounts.AccountActionView.as_view(action=action),
        )
        for action in ("follow", "unfollow", "block", "unblock", "mute", "unmute")
    ],
    route("api/v1/accounts/familiar_followers", social.FamiliarFollowersView.as_view()),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/featured_tags",
        social.AccountFeaturedTagsView.as_view(),
    ),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/endorsements",
        social.AccountEndorsementsView.as_view(),
    ),
    route(f"api/v1/accounts/{ID.format('account_id')}/pin", social.EndorseView.as_view()),
    route(
        f"api/v1/accounts/{ID.format('account_id')}/unpin",
        social.EndorseView.as_view(endorse=False),
    ),
    route(f"api/v1/accounts/{ID.format('account_id')}/note", social.AccountNoteView.as_view()),
    route("api/v1/endorsements", social.EndorsementsView.as_view()),
    route(r"api/v1/tags/(?P<name>[^/]+)", social.TagView.as_view()),
    route(r"api/v1/tags/(?P<name>[^/]+)/follow", social.TagFollowView.as_view()),
    route(r"api/v1/tags/(?P<name>[^/]+)/unfollow", social.TagFollowView.as_view(follow=False)),
    route("api/v1/followed_tags", social.FollowedTagsView.as_view()),
    route("api/v1/featured_tags", social.FeaturedTagsView.as_view()),
    route("api/v1/featured_tags/suggestions", social.FeaturedTagSuggestionsView.as_view()),
    route(
        f"api/v1/featured_tags/{ID.format('featured_tag_id')}", social.FeaturedTagView.as_view()
    ),
    route("api/v1/suggestions", social.SuggestionsView.as_view(version=1)),
    route("api/v2/suggestions", social.SuggestionsView.as_view()),
    route(f"api/v1/suggestions/{ID.format('account_id')}", social.SuggestionView.as_view()),
    route("api/v1/directory", social.DirectoryView.as_view()),
    route("api/v1/domain_blocks", social.DomainBlocksView.as_view()),
    route("api/v1/blocks", accounts.BlockListView.as_view()),
    route("api/v1/mutes", accounts.MuteListView.as_view()),
    # polls
    route(f"api/v1/polls/{ID.format('poll_id')}", polls.PollView.as_view()),
    route(f"api/v1/polls/{ID.format('poll_id')}/votes", polls.PollVotesView.as_view()),
    # trends (GET /api/v1/trends is Mastodon's older name for the tags)
    route("api/v1/trends", discovery.TrendTagsView.as_view()),
    route("api/v1/trends/tags", discovery.TrendTagsView.as_view()),
    route("api/v1/trends/statuses", discovery.TrendStatusesView.as_view()),
    route("api/v1/trends/links", discovery.TrendLinksView.as_view()),
    # announcements
    route("api/v1/announcements", discovery.AnnouncementsView.as_view()),
    route(
        f"api/v1/announcements/{ID.format('announcement_id')}/dismiss",
        discovery.AnnouncementDismissView.as_view(),
    ),
    route(
        f"api/v1/announcements/{ID.format('announcement_id')}/reactions/(?P<name>[^/]+)",
        discovery.AnnouncementReactionView.as_view(),
    ),
    # scheduled statuses
    route("api/v1/scheduled_statuses", scheduled.ScheduledStatusesView.as_view()),
    route(
        f"api/v1/scheduled_statuses/{ID.format('scheduled_id')}",
        scheduled.ScheduledStatusView.as_view(),
    ),
    # statuses
    route("api/v1/statuses", statuses.StatusesView.as_view()),
    route(f"api/v1/statuses/{ID.format('status_id')}", statuses.StatusView.as_view()),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/context", statuses.StatusContextView.as_view()
    ),
    route(f"api/v1/statuses/{ID.format('status_id')}/source", statuses.StatusSourceView.as_view()),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/history", statuses.StatusHistoryView.as_view()
    ),
    route(f"api/v1/statuses/{ID.format('status_id')}/quotes", statuses.StatusQuotesView.as_view()),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/interaction_policy",
        statuses.StatusInteractionPolicyView.as_view(),
    ),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/quotes/{ID.format('quoting_status_id')}/revoke",
        statuses.StatusQuoteRevokeView.as_view(),
    ),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/favourited_by",
        statuses.StatusFavouritedByView.as_view(),
    ),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/reblogged_by",
        statuses.StatusRebloggedByView.as_view(),
    ),
    *[
        route(
            f"api/v1/statuses/{ID.format('status_id')}/{action}",
            statuses.StatusActionView.as_view(action=action),
        )
        for action in ("reblog", "unreblog", "favourite", "unfavourite")
    ],
    route(
        f"api/v1/statuses/{ID.format('status_id')}/bookmark", statuses.StatusBookmarkView.as_view()
    ),
    route(f"api/v1/statuses/{ID.format('status_id')}/pin", statuses.StatusPinView.as_view()),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/unpin",
        statuses.StatusPinView.as_view(pin=False),
    ),
    route(
        f"api/v1/statuses/{ID.format('status_id')}/unbookmark",
        statuses.StatusBookmarkView.as_view(keep=False),
    ),
    route("api/v1/media", statuses.MediaUploadView.as_view()),
    route("api/v2/media", statuses.MediaUploadView.as_view()),
    route(f"api/v1/media/{ID.format('media_id')}", statuses.MediaView.as_view()),
    # timelines and notifications
    route("api/v1/timelines/home", timelines.HomeTimelineView.as_view()),
    route("api/v1/timelines/public", timelines.PublicTimelineView.as_view()),
    route(f"api/v1/timelines/list/{ID.format('list_id')}", lists.ListTimelineView.as_view()),
    route(r"api/v1/timelines/tag/(?P<tag>[^/]+)", timelines.TagTimelineView.as_view()),
    route("api/v1/favourites", timelines.FavouritesView.as_view()),
    route("api/v1/bookmarks", timelines.BookmarksView.as_view()),
    route("api/v1/conversations", conversations.ConversationsView.as_view()),
    route(
        f"api/v1/conversations/{ID.format('conversation_id')}",
        conversations.ConversationView.as_view(),
    ),
    route(
        f"api/v1/conversations/{ID.format('conversation_id')}/read",
        conversations.ConversationReadView.as_view(),
    ),
    route("api/v1/notifications", timelines.NotificationsView.as_view()),
    route("api/v1/notifications/clear", timelines.NotificationClearView.as_view()),
    route("api/v1/notifications/unread_count", notifications.UnreadCountView.as_view()),
    route("api/v2/notifications", notifications.GroupedNotificationsView.as_view()),
    route(
        "api/v2/notifications/unread_count",
        notifications.UnreadCountView.as_view(grouped=True),
    ),
    route(f"api/v2/notifications/{GROUP_KEY}", notifications.NotificationGroupView.as_view()),
    route(
        f"api/v2/notifications/{GROUP_KEY}/accounts",
        notifications.NotificationGroupAccountsView.as_view(),
    ),
    route(
        f"api/v2/notifications/{GROUP_KEY}/dismiss",
        notifications.NotificationGroupDismissView.as_view(),
    ),
    route(
        f"api/v1/notifications/{ID.format('notification_id')}", timelines.NotificationView.as_view()
    ),
    route(
        f"api/v1/notifications/{ID.format('notification_id')}/dismiss",
        timelines.NotificationDismissView.as_view(),
    ),
    # Mastodon's admin API (moderators and admins; admin:read / admin:write)
    route("api/v1/admin/reports", admin.AdminReportsView.as_view()),
    route(f"api/v1/admin/reports/{ID.format('report_id')}", admin.AdminReportView.as_view()),
    *[
        route(
            f"api/v1/admin/reports/{ID.format('report_id')}/{action}",
            admin.AdminReportActionView.as_view(action=action),
        )
        for action in ("assign_to_self", "unassign", "resolve", "reopen")
    ],
    route(f"api/v1/admin/accounts/{ID.format('account_id')}", admin.AdminAccountView.as_view()),
    route(
        f"api/v1/admin/accounts/{ID.format('account_id')}/action",
        admin.AdminAccountActionView.as_view(),
    ),
    # Parley's notifier API (notifier tokens only)
    route("api/parley/v1/notices", notifier.NoticesView.as_view()),
    route(f"api/parley/v1/notices/{RECEIPT}", notifier.NoticeView.as_view()),
    route(f"api/parley/v1/notices/{RECEIPT}/appeal", notifier.NoticeAppealView.as_view()),
    # Parley's safety API: moderators (cases, appeals, policy) and authors (statements)
    route("api/parley/v1/cases", safety.CasesView.as_view()),
    route(f"api/parley/v1/cases/{ID.format('case_id')}", safety.CaseView.as_view()),
    route(f"api/parley/v1/cases/{ID.format('case_id')}/claim", safety.CaseClaimView.as_view()),
    route(
        f"api/parley/v1/cases/{ID.format('case_id')}/unclaim",
        safety.CaseClaimView.as_view(claim=False),
    ),
    route(f"api/parley/v1/cases/{ID.format('case_id')}/close", safety.CaseCloseView.as_view()),
    route(
        f"api/parley/v1/cases/{ID.format('case_id')}/actions", safety.CaseActionsView.as_view()
    ),
    route(
        f"api/parley/v1/cases/{ID.format('case_id')}/referral", safety.CaseReferralView.as_view()
    ),
    route(
        f"api/parley/v1/cases/{ID.format('case_id')}/legal_hold",
        safety.CaseLegalHoldView.as_view(),
    ),
    route("api/parley/v1/appeals", safety.AppealsView.as_view()),
    route(
        f"api/parley/v1/appeals/{ID.format('appeal_id')}/decide",
        safety.AppealDecideView.as_view(),
    ),
    route(
        f"api/parley/v1/reports/{ID.format('report_id')}/appeal", safety.ReportAppealView.as_view()
    ),
    route("api/parley/v1/policy", safety.PolicyView.as_view()),
    route("api/parley/v1/notifiers", safety.NotifiersView.as_view()),
    route("api/parley/v1/statements", safety.StatementsView.as_view()),
    route(
        f"api/parley/v1/statements/{ID.format('statement_id')}", safety.StatementView.as_view()
    ),
    route(
        f"api/parley/v1/statements/{ID.format('statement_id')}/appeal",
        safety.StatementAppealView.as_view(),
    ),
]

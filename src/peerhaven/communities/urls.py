from __future__ import annotations

from django.urls import path

from peerhaven.communities import digest_views, moderation_views, search_views, views

app_name = "communities"

community = "<int:community_id>/"
post = community + "posts/<int:post_id>/"
group = community + "groups/<int:subgroup_id>/"
moderated_post = community + "moderation/posts/<int:post_id>/"

urlpatterns = [
    path("", views.community_list, name="list"),
    path("new/", views.community_create, name="create"),
    path(community, views.community_detail, name="detail"),
    path(community + "join/", views.community_join, name="join"),
    path(community + "leave/", views.community_leave, name="leave"),
    path(community + "rules/", views.community_rules, name="rules"),
    path(community + "digest/", views.digest_setting, name="digest"),
    path(community + "people/<int:user_id>/", views.person, name="person"),
    path(community + "groups/", views.subgroup_list, name="subgroups"),
    path(community + "groups/new/", views.subgroup_create, name="subgroup_create"),
    path(group, views.subgroup_detail, name="subgroup"),
    path(group + "membership/", views.subgroup_membership, name="subgroup_membership"),
    path(group + "add/", views.subgroup_add_member, name="subgroup_add_member"),
    path(community + "posts/new/", views.post_create, name="post_create"),
    path(post, views.thread, name="post"),
    path(post + "edit/", views.post_edit, name="post_edit"),
    path(post + "accept/", views.accept_answer, name="accept_answer"),
    path(post + "report/", views.post_report, name="post_report"),
    # --- search (search_views.py) ---
    path(community + "search/", search_views.search, name="search"),
    # --- moderation and settings (moderation_views.py) ---
    path(community + "moderation/", moderation_views.queue, name="moderation"),
    path(moderated_post, moderation_views.post_action, name="moderation_post"),
    path(moderated_post + "history/", moderation_views.post_history, name="moderation_history"),
    path(moderated_post + "unmask/", moderation_views.unmask, name="moderation_unmask"),
    path(community + "moderation/members/", moderation_views.members, name="moderation_members"),
    path(community + "moderation/invite/", moderation_views.invite, name="moderation_invite"),
    path(
        community + "moderation/members/<int:member_id>/",
        moderation_views.member_action,
        name="moderation_member",
    ),
    path(community + "moderation/log/", moderation_views.log, name="moderation_log"),
    path(community + "settings/", moderation_views.settings, name="settings"),
    path(community + "settings/rules/", moderation_views.rules, name="settings_rules"),
    path(
        community + "settings/auto-rules/",
        moderation_views.auto_rules,
        name="settings_auto_rules",
    ),
    path(
        community + "settings/auto-rules/<int:auto_rule_id>/delete/",
        moderation_views.auto_rule_delete,
        name="settings_auto_rule_delete",
    ),
    # --- digests (digests.py) ---
    path("unsubscribe/<str:token>/", digest_views.unsubscribe, name="unsubscribe"),
]

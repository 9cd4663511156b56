"""Communities: large peer networks with sub-groups, posts, rules and moderation.

Unlike a circle's, a community's posts are not encrypted: members search them, and the
search index needs the words. They are still read only through ``access.py``: active
members of the community (and, for a private sub-group, of that sub-group). Site staff
have no way to them through the product, the admin included."""

from __future__ import annotations

import functools

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

MAX_POST_LENGTH = 40_000
MAX_TITLE_LENGTH = 200


class CommunityQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(visibility=Community.Visibility.LISTED)

    def with_member(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(members__user=user, members__state=Member.State.ACTIVE)


class Community(models.Model):
    class Visibility(models.TextChoices):
        LISTED = "listed", "Listed in the directory"
        UNLISTED = "unlisted", "Unlisted: only people with the link find it"

    class JoinPolicy(models.TextChoices):
        OPEN = "open", "Open: any Peerhaven member can join"
        REQUEST = "request", "By request: moderators review answers to your questions"
        INVITATION = "invitation", "By invitation only"

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    organization = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="communities",
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.LISTED
    )
    join_policy = models.CharField(
        max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.REQUEST
    )
    allow_anonymous = models.BooleanField(
        "allow anonymous posts",
        default=False,
        help_text="Members may hide their name from other members; moderators still see it.",
    )
    hold_first_posts = models.PositiveSmallIntegerField(
        "hold new members' first posts",
        default=1,
        validators=[MaxValueValidator(10)],
        help_text="How many of a new member's first posts wait for a moderator (0: none).",
    )
    posts_per_hour = models.PositiveSmallIntegerField(
        "posts and replies per member per hour",
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    # Bumped whenever the rules change, so members agree to the rules as they now stand.
    rules_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CommunityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "communities"

    def __str__(self):
        return self.name


class Rule(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="rules")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    details = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="rule_number_unique")
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class MembershipQuestion(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Member(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        MODERATOR = "moderator", "Moderator"
        MEMBER = "member", "Member"

    class State(models.TextChoices):
        ACTIVE = "active", "Member"
        REQUESTED = "requested", "Asked to join"
        INVITED = "invited", "Invited"
        DECLINED = "declined", "Request declined"
        LEFT = "left", "Left"
        REMOVED = "removed", "Removed by moderators"
        BANNED = "banned", "Banned"

    class Digest(models.TextChoices):
        NONE = "none", "No e-mail"
        DAILY = "daily", "A daily digest"
        WEEKLY = "weekly", "A weekly digest"

    MODERATING_ROLES = (Role.OWNER, Role.MODERATOR)

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    # A join request's answers: [{"question": ..., "answer": ...}], read by moderators only.
    answers = models.JSONField(default=list, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    rules_agreed_version = models.PositiveIntegerField(default=0)
    muted_until = models.DateTimeField(null=True, blank=True)
    digest = models.CharField(max_length=6, choices=Digest.choices, default=Digest.WEEKLY)
    digest_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="one_member_row_per_person")
        ]
        indexes = [
            models.Index(fields=["community", "state", "role"]),
            models.Index(fields=["digest", "state", "id"]),
        ]

    def __str__(self):
        return f"{self.user} in {self.community}"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_moderator(self) -> bool:
        return self.is_active and self.role in self.MODERATING_ROLES

    @property
    def is_owner(self) -> bool:
        return self.is_active and self.role == self.Role.OWNER

    @property
    def has_agreed_to_rules(self) -> bool:
        return self.rules_agreed_version >= self.community.rules_version

    @property
    def is_muted(self) -> bool:
        return self.muted_until is not None and self.muted_until > timezone.now()

    @functools.cached_property
    def moderation_waiting(self) -> int:
        """What waits for the community's moderators: held or reported posts and requests to
        join, shown on the Moderation tab. Counted up to 100 (the tab says "99+")."""
        posts = Post.objects.filter(community_id=self.community_id).filter(
            Q(state=Post.State.HELD) | Q(report_count__gt=0)
        )
        requests = Member.objects.filter(
            community_id=self.community_id, state=Member.State.REQUESTED
        )
        return posts[:100].count() + requests[:100].count()


class SubGroupQuerySet(models.QuerySet):
    def visible_to(self, member: Member):
        """Open sub-groups, and private ones the member belongs to; moderators see every
        sub-group of their community, since they answer for all of it."""
        in_community = self.filter(community_id=member.community_id)
        if member.is_moderator:
            return in_community
        mine = SubGroupMember.objects.filter(user_id=member.user_id).values("subgroup")
        return in_community.filter(Q(private=False) | Q(pk__in=mine))


class SubGroup(models.Model):
    class Kind(models.TextChoices):
        REGION = "region", "Region"
        SPECIALTY = "specialty", "Specialty"
        INTEREST = "interest", "Interest"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="subgroups")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INTEREST)
    description = models.TextField(blank=True, max_length=2000)
    # Kept by actions._enter_subgroup/_leave_subgroups; a live count is too slow at scale.
    member_count = models.PositiveIntegerField(default=0, editable=False)
    private = models.BooleanField(
        "private to its members",
        default=False,
        help_text="Only the sub-group's members see it and its posts; moderators add members.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubGroupQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="subgroup_name_unique")
        ]

    def __str__(self):
        return self.name


class SubGroupMember(models.Model):
    """Belonging to a sub-group; ``following`` puts its posts in the member's home feed and
    digest."""

    subgroup = models.ForeignKey(SubGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subgroup_memberships"
    )
    following = models.BooleanField(default=True)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subgroup", "user"], name="one_subgroup_row_per_person")
        ]
        indexes = [models.Index(fields=["user", "following"])]

    def __str__(self):
        return f"{self.user} in {self.subgroup}"


class PostQuerySet(models.QuerySet):
    def in_reach_of(self, member: Member):
        """Posts of the member's community outside private sub-groups they are not in."""
        subgroups = SubGroup.objects.visible_to(member).values("pk")
        return self.filter(community_id=member.community_id).filter(
            Q(subgroup__isnull=True) | Q(subgroup__in=subgroups)
        )

    def readable_by(self, member: Member):
        """What an active member may open: published posts in reach, and their own whatever
        happened to them (so they can see why). Moderators read everything in their
        community."""
        if member.is_moderator:
            return self.filter(community_id=member.community_id)
        return self.in_reach_of(member).filter(
            Q(state=Post.State.PUBLISHED) | Q(author_id=member.user_id)
        )

    def threads(self):
        return self.filter(parent__isnull=True)

    def published(self):
        return self.filter(state=Post.State.PUBLISHED)


class Post(models.Model):
    """A thread's opening post (``parent`` empty) or a reply to one."""

    class Kind(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTION = "question", "Question"
        ARTICLE = "article", "Article"

    class State(models.TextChoices):
        PUBLISHED = "published", "Published"
        HELD = "held", "Waiting for a moderator"
        HIDDEN = "hidden", "Hidden by moderators"
        REMOVED = "removed", "Removed by moderators"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="posts")
    subgroup = models.ForeignKey(
        SubGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="posts"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.DISCUSSION)
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)
    body = models.TextField(max_length=MAX_POST_LENGTH)
    # The body rendered from markdown and sanitized once, on write; pages never render raw.
    body_html = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_posts"
    )
    anonymous = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PUBLISHED)
    held_reason = models.CharField(max_length=300, blank=True)
    removed_for = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locked = models.BooleanField(default=False)
    accepted_answer = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="accepted_for"
    )
    reply_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # A thread rises in feeds when someone replies.
    last_activity_at = models.DateTimeField(default=timezone.now)

    objects = PostQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["community", "state", "-last_activity_at"],
                condition=Q(parent__isnull=True),
                name="post_community_feed",
            ),
            # The id is in the index so a feed over several groups finds its page's ids
            # without reading the posts themselves.
            models.Index(
                fields=["subgroup", "state", "-last_activity_at", "-id"],
                condition=Q(parent__isnull=True),
                name="post_subgroup_feed",
            ),
            models.Index(fields=["parent", "created_at"], name="post_replies"),
            models.Index(fields=["author", "community", "created_at"], name="post_author_recent"),
            models.Index(
                fields=["community", "-created_at"],
                condition=Q(state="held") | Q(report_count__gt=0),
                name="post_moderation_queue",
            ),
        ]

    def __str__(self):
        return self.title or f"Reply {self.pk}"

    def get_absolute_url(self) -> str:
        """The thread's page; for a reply, the thread's page starting at that reply."""
        url = reverse("communities:post", args=[self.community_id, self.thread_id])
        # A long thread is read a page at a time: a reply's link opens the page it is on.
        return url if self.is_thread else f"{url}?reply={self.pk}#post-{self.pk}"

    @property
    def is_thread(self) -> bool:
        return self.parent_id is None

    @property
    def thread_id(self) -> int:
        return self.parent_id or self.pk

    @property
    def is_answered(self) -> bool:
        return self.accepted_answer_id is not None


class PostRevision(models.Model):
    """An earlier text of an edited post, for moderators."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=MAX_TITLE_LENGTH, blank=True)
    body = models.TextField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]

    def __str__(self):
        return f"Earlier text of post {self.post_id}"


class Report(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="reports")
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="one_report_per_person")
        ]

    def __str__(self):
        return f"Report on post {self.post_id}"


class AutoRule(models.Model):
    """A word or pattern list checked on every post before it is saved."""

    class Action(models.TextChoices):
        HOLD = "hold", "Hold for a moderator"
        REJECT = "reject", "Refuse the post"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="auto_rules")
    rule = models.ForeignKey(
        Rule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The posted rule this enforces; its text is what the author is shown.",
    )
    patterns = models.TextField(
        help_text="One per line: a word or phrase (matched as whole words, any case), or a "
        "regular expression between slashes, like /\\bvote (for|against)\\b/."
    )
    action = models.CharField(max_length=6, choices=Action.choices, default=Action.HOLD)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_action_display()}: {self.patterns[:40]}"


class ModerationAction(models.Model):
    """The moderation log: every moderator action, kept for the community's moderators."""

    class Kind(models.TextChoices):
        APPROVE = "approve", "Approved"
        HIDE = "hide", "Hid"
        REMOVE = "remove", "Removed"
        RESTORE = "restore", "Restored"
        LOCK = "lock", "Locked"
        UNLOCK = "unlock", "Unlocked"
        DISMISS = "dismiss", "Dismissed reports on"
        WARN = "warn", "Warned"
        MUTE = "mute", "Muted"
        UNMUTE = "unmute", "Unmuted"
        REMOVE_MEMBER = "remove_member", "Removed from the community"
        BAN = "ban", "Banned"
        UNMASK = "unmask", "Revealed the author of"
        ADMIT = "admit", "Admitted"
        DECLINE = "decline", "Declined"
        PROMOTE = "promote", "Made moderator"
        DEMOTE = "demote", "Made member"

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="moderation_log"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d})"


class DigestDelivery(models.Model):
    """One digest e-mail to one member for one period, recorded in the same transaction that
    queues it: a digest run that crashes and starts again skips whoever already has theirs."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=20)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="one_digest_per_period")
        ]

    def __str__(self):
        return f"{self.period} digest to member {self.member_id}"

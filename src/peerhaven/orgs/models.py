from __future__ import annotations

from django.conf import settings
from django.db import models


class Organization(models.Model):
    """An institution, department, society, training-grant program or community that runs
    programs and communities on Peerhaven."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", "Institution"
        DEPARTMENT = "department", "Department"
        SOCIETY = "society", "Professional society"
        TRAINING_GRANT = "training_grant", "Training-grant program"
        COMMUNITY = "community", "Community"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffRoleQuerySet(models.QuerySet):
    def of(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()


class StaffRole(models.Model):
    """A person's job in running an organization's programs. Each role sees only what it
    needs: admins manage staff, coordinators run programs, facilitators guide their own
    groups, researchers see de-identified aggregates. None of them reads circle content."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Administrator"
        COORDINATOR = "coordinator", "Program coordinator"
        FACILITATOR = "facilitator", "Facilitator"
        RESEARCHER = "researcher", "Researcher"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    objects = StaffRoleQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "role"], name="one_role_grant_per_person"
            )
        ]

    def __str__(self):
        return f"{self.get_role_display()} at {self.organization}"


def has_staff_role(user, organization=None, roles=None) -> bool:
    """Whether ``user`` holds one of ``roles`` (any role when None) at ``organization``
    (any organization when None)."""
    grants = StaffRole.objects.of(user)
    if organization is not None:
        grants = grants.filter(organization=organization)
    if roles is not None:
        grants = grants.filter(role__in=roles)
    return grants.exists()


def holds_any_role(user, roles: list[str]) -> bool:
    """Whether ``user`` holds one of ``roles``: "member" (every signed-in person),
    "site_admin", or an organization role such as "coordinator"."""
    if not user.is_authenticated or not roles:
        return False
    if "member" in roles:
        return True
    if "site_admin" in roles and (user.is_staff or user.is_superuser):
        return True
    return has_staff_role(user, roles=[r for r in roles if r in StaffRole.Role.values])

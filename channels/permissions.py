"""The guardian mirror of ``Channel.departments``.

django-guardian grants object permissions to users and groups; a department is neither. Each
department therefore has one permission-holding group (``Kanäle: <code>``) that carries
``channels.publish_to_channel`` on exactly the channels in ``Channel.departments``. The M2M stays
the source of truth (``channels.selectors.channels_for_department`` reads it); the services call
:func:`sync_channel_permissions` after every change so that guardian's view (``get_perms``,
``get_objects_for_group``, the admin's object permissions page) says the same.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from guardian.models import GroupObjectPermission
from guardian.shortcuts import assign_perm, get_objects_for_group

PERMISSION = "channels.publish_to_channel"


def department_group_name(department) -> str:
    return f"Kanäle: {department.code}"


def department_group(department) -> Group:
    group, _created = Group.objects.get_or_create(name=department_group_name(department))
    return group


def sync_channel_permissions(channel) -> None:
    """Make the guardian permissions on ``channel`` match ``channel.departments``."""
    from django.contrib.contenttypes.models import ContentType

    wanted = {department_group(d).pk for d in channel.departments.all()}
    existing = GroupObjectPermission.objects.filter(
        content_type=ContentType.objects.get_for_model(channel),
        object_pk=str(channel.pk),
        permission__codename="publish_to_channel",
    )
    existing.exclude(group_id__in=wanted).delete()
    have = set(existing.values_list("group_id", flat=True))
    for group in Group.objects.filter(pk__in=wanted - have):
        assign_perm(PERMISSION, group, channel)


def channels_of_department_group(department):
    """The channels guardian says the department may publish on (for checks and tests)."""
    from .models import Channel

    return get_objects_for_group(department_group(department), PERMISSION, klass=Channel)

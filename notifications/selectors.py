from .models import Notification


def unread_notification_count(user) -> int:
    """For the navigation: one query per page."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

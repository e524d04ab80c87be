from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from notifications import registry


class PostsConfig(AppConfig):
    name = "posts"
    verbose_name = _("Posts")

    def ready(self):
        from .models import Post
        from .selectors import may_see_post

        # Notifications about a post go only to people who may see it (notifications knows no posts).
        registry.register(Post, may_see_post)

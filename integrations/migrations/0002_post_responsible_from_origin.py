"""Posts made through the API before ``Post.responsible`` existed: copy the responsible person from their
origin, so the four-eyes rule covers them too."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def forwards(apps, schema_editor):
    Post = apps.get_model("posts", "Post")
    PostOrigin = apps.get_model("integrations", "PostOrigin")
    Post.objects.filter(responsible__isnull=True, origin__isnull=False).update(
        responsible=Subquery(PostOrigin.objects.filter(post=OuterRef("pk")).values("responsible")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0001_initial"),
        ("posts", "0005_post_responsible"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

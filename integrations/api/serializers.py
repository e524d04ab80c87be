"""What the API reads and writes. Input serializers only check and convert values; the writes are the
services' (``integrations.services.api_post_*``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from channels.models import Channel
from departments.models import Department
from posts.models import Media, Post

from .problems import findings_json

MAX_TEXT = 20_000
MAX_MEDIA = 10


class MediaInputSerializer(serializers.Serializer):
    file = serializers.CharField(
        max_length=100, help_text="Name of the multipart part that carries the image or MP4 video."
    )
    captions = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Name of the multipart part with the WebVTT or SRT captions (videos only; required for them).",
    )
    alt_text = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    credit = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    shows_people = serializers.BooleanField(required=False, default=False)
    consent = serializers.BooleanField(required=False, default=False)


class PostContentSerializer(serializers.Serializer):
    """The fields the etiquette check and the create call share."""

    text = serializers.CharField(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False)
    link = serializers.URLField(max_length=2000, required=False, allow_blank=True, default="")
    channels = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        max_length=20,
        required=False,
        default=list,
        help_text="Channel ids (GET /api/v1/channels/ lists the token's channels).",
    )
    variants = serializers.DictField(
        child=serializers.CharField(max_length=MAX_TEXT, allow_blank=True),
        required=False,
        default=dict,
        help_text='Own text per channel: {"<channel id>": "text"}.',
    )
    planned_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_channels(self, value):
        ids = list(dict.fromkeys(value))
        found = {c.pk: c for c in Channel.objects.filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(
                _("Unknown channel(s): %(ids)s.") % {"ids": ", ".join(missing)}, code="unknown_channel"
            )
        return [found[i] for i in ids]

    def validate(self, attrs):
        channels = {c.pk for c in attrs.get("channels", [])}
        variants = {}
        for key, text in attrs.get("variants", {}).items():
            try:
                channel_id = int(key)
            except (TypeError, ValueError):
                channel_id = None
            if channel_id not in channels:
                raise serializers.ValidationError(
                    {
                        "variants": _("A variant must belong to one of the post's channels (%(key)s).")
                        % {"key": key}
                    },
                    code="variant_channel",
                )
            variants[channel_id] = text
        attrs["variants"] = variants
        return attrs


class PostCreateSerializer(PostContentSerializer):
    department = serializers.SlugField(max_length=20, help_text="The department's short code, e.g. GA.")
    title = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="Internal title (not published).",
    )
    press_relevant = serializers.BooleanField(required=False, default=False)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="true: submit for review at once (needs the right “submit”)."
    )
    media = MediaInputSerializer(many=True, required=False, default=list, max_length=MAX_MEDIA)

    def validate_department(self, value):
        department = Department.objects.filter(code=value, active=True).first()
        if department is None:
            raise serializers.ValidationError(
                _("There is no active department with the code %(code)s.") % {"code": value},
                code="unknown_department",
            )
        return department

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs.get("title", "").strip():
            first_line = (attrs.get("text") or "").strip().splitlines()[0:1]
            attrs["title"] = (first_line[0][:80] if first_line else "") or str(_("Post via API"))
        return attrs


class PostMultipartSerializer(serializers.Serializer):
    """For ``multipart/form-data``: the post as JSON in ``data``, files in parts named in ``data.media``."""

    data = serializers.CharField(help_text="The post as JSON (the same object as the JSON body).")
    file = serializers.FileField(required=False, help_text="Any number of file parts, named freely.")


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why the post is taken back (audited).")


# --- output --------------------------------------------------------------------------------------------------


class ChannelSerializer(serializers.ModelSerializer):
    network = serializers.CharField(source="kind")

    class Meta:
        model = Channel
        fields = ["id", "name", "network"]


class MediaSerializer(serializers.ModelSerializer):
    has_captions = serializers.SerializerMethodField()

    class Meta:
        model = Media
        fields = [
            "id",
            "kind",
            "alt_text",
            "credit",
            "shows_people",
            "consent",
            "has_captions",
            "width",
            "height",
        ]

    def get_has_captions(self, media) -> bool:
        return bool(media.captions)


class ReviewStepSerializer(serializers.Serializer):
    kind = serializers.CharField()
    status = serializers.CharField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_decided_by(self, step) -> str | None:
        return step.decided_by.get_username() if step.decided_by_id else None


class ReviewSerializer(serializers.Serializer):
    status = serializers.CharField()
    opened_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    warning_count = serializers.IntegerField()
    steps = ReviewStepSerializer(many=True, source="steps.all")


class DeliverySerializer(serializers.Serializer):
    channel = serializers.IntegerField(source="channel_id")
    channel_name = serializers.CharField(source="channel.name")
    status = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField(source="external_url", allow_blank=True)
    error = serializers.CharField(source="last_error", allow_blank=True)


class OriginSerializer(serializers.Serializer):
    integration = serializers.CharField(source="integration.name")
    responsible = serializers.CharField(source="responsible.get_username")


class PostSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    author = serializers.CharField(source="author.get_username")
    channels = ChannelSerializer(many=True)
    variants = serializers.SerializerMethodField()
    media = MediaSerializer(many=True)
    origin = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()
    deliveries = DeliverySerializer(many=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "department",
            "title",
            "text",
            "link",
            "status",
            "channels",
            "variants",
            "media",
            "planned_at",
            "press_relevant",
            "author",
            "origin",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "review",
            "deliveries",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
    def get_variants(self, post) -> dict:
        return {str(v.channel_id): v.text for v in post.variants.all()}

    @extend_schema_field(OriginSerializer(allow_null=True))
    def get_origin(self, post):
        origin = getattr(post, "origin", None)
        return OriginSerializer(origin).data if origin is not None else None

    @extend_schema_field(ReviewSerializer(allow_null=True))
    def get_review(self, post):
        reviews = list(post.reviews.all())
        return ReviewSerializer(reviews[0]).data if reviews else None


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "warn", "info"])
    channel = serializers.CharField(allow_null=True)
    message = serializers.DictField(child=serializers.CharField())
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    in_variant = serializers.BooleanField()


class CheckResultSerializer(serializers.Serializer):
    blocking = serializers.BooleanField()
    findings = FindingSerializer(many=True)


class CreatedSerializer(PostSerializer):
    """The created post, plus the findings of its submission (warnings travel with it)."""

    findings = serializers.SerializerMethodField()

    class Meta(PostSerializer.Meta):
        fields = [*PostSerializer.Meta.fields, "findings"]

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, post):
        return findings_json(self.context.get("findings", []))


class ProblemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.DictField(child=serializers.CharField(), help_text='{"de": …, "en": …}')


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (``application/problem+json``)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    errors = ProblemErrorSerializer(many=True, required=False)


class TemplateFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    required = serializers.BooleanField(default=False)


class TemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    department = serializers.CharField(source="department.code")
    channels = ChannelSerializer(many=True, source="channels.all")
    fields = TemplateFieldSerializer(many=True)
    example_data = serializers.DictField()
    auto_approve = serializers.BooleanField()


class TemplateDataSerializer(serializers.Serializer):
    data = serializers.DictField(help_text="Values for the template's fields.")
    planned_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    submit = serializers.BooleanField(required=False, default=True)


class TemplatePreviewSerializer(serializers.Serializer):
    title = serializers.CharField()
    text = serializers.CharField()
    link = serializers.CharField(allow_blank=True)
    blocking = serializers.BooleanField()
    findings = FindingSerializer(many=True)

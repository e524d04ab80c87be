"""The editor's forms. They validate and clean input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels.models import Channel
from channels.networks import registry

from . import selectors
from .media import looks_like_mp4, process_captions, process_image, process_video
from .models import Media, Post
from .services import PLANNED_AT_TOLERANCE

DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
# The longest text the editor accepts at all (the networks' own limits are checked per channel).
TEXT_MAX_LENGTH = 20_000


class ChannelChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, channel):
        """The channel's name, and its network where the name does not say it already ("Landkreis auf
        Mastodon", not "Landkreis auf Mastodon (Mastodon)"; never "Sandbox (Testkanal) (Sandbox …)")."""
        network = str(registry.get(channel.kind).label)
        if network.split(" ")[0].lower() in channel.name.lower():
            return channel.name
        return f"{channel.name} ({network})"


class PostForm(forms.Form):
    """Title, text, link, channels with optional text variants, planned time, press flag, one new medium."""

    title = forms.CharField(
        label=gettext_lazy("Internal title"),
        max_length=200,
        help_text=gettext_lazy("Only for the lists and the calendar; never published."),
    )
    text = forms.CharField(
        label=gettext_lazy("Text"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    link = forms.URLField(
        label=gettext_lazy("Link (optional)"),
        required=False,
        max_length=2000,
        assume_scheme="https",
        help_text=gettext_lazy("Shown as a link preview where the network supports it."),
    )
    channels = ChannelChoiceField(
        label=gettext_lazy("Channels"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy(
                "“%(value)s” is not a channel your department may use. Please choose from the list."
            ),
            "invalid_pk_value": gettext_lazy("“%(pk)s” is not a channel."),
        },
    )
    planned_at = forms.DateTimeField(
        label=gettext_lazy("Planned publication (Berlin time)"),
        required=False,
        input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
        help_text=gettext_lazy("Empty: as soon as it is approved."),
        error_messages={"invalid": gettext_lazy("Please enter a date and time, e.g. 24.12.2026 10:00.")},
    )
    press_relevant = forms.BooleanField(
        label=gettext_lazy("Press-relevant (the press office reviews it as well)"), required=False
    )

    # One new medium per save.
    media_file = forms.FileField(
        label=gettext_lazy("Add an image or video"),
        required=False,
        help_text=gettext_lazy("JPEG, PNG or WebP up to %(image)s, or MP4 up to %(video)s with captions."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,video/mp4"}),
    )
    media_alt_text = forms.CharField(
        label=gettext_lazy("Alternative text: what does the image show?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "For people who cannot see the image. Describe what matters, e.g. “Two nurses at the "
            "vaccination centre in Rotenburg hand out appointment cards.”"
        ),
    )
    media_credit = forms.CharField(
        label=gettext_lazy("Credit / licence"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("e.g. “Foto: Landkreis Rotenburg (Wümme)” or “CC BY 4.0 Jane Doe”"),
    )
    media_shows_people = forms.BooleanField(label=gettext_lazy("Shows identifiable people"), required=False)
    media_consent = forms.BooleanField(
        label=gettext_lazy("Consent of the people shown is recorded"), required=False
    )
    media_captions = forms.FileField(
        label=gettext_lazy("Captions for a video (WebVTT or SRT)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".vtt,.srt,text/vtt"}),
    )

    def __init__(self, *args, department, post: Post | None = None, **kwargs):
        if post is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_for(post)
        super().__init__(*args, **kwargs)
        self.department = department
        self.post = post
        self.fields["media_file"].help_text = self.fields["media_file"].help_text % {
            "image": filesizeformat(settings.UPLOAD_MAX_IMAGE_BYTES),
            "video": filesizeformat(settings.UPLOAD_MAX_VIDEO_BYTES),
        }
        available = selectors.editor_channels(department)
        if post is not None and post.pk:
            # A channel already chosen stays selectable even if the rollout changed; submission checks it.
            available = Channel.objects.filter(pk__in=available.values("pk")) | post.channels.all()
            available = available.distinct().order_by("name")
        self.channel_list = list(available)
        self.fields["channels"].queryset = available
        self.new_media: list = []
        for channel in self.channel_list:
            self.fields[f"variant_{channel.pk}"] = forms.CharField(
                label=_("Own text for %(channel)s (optional)") % {"channel": channel.name},
                required=False,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def variant_fields(self):
        return [(channel, self[f"variant_{channel.pk}"]) for channel in self.channel_list]

    def variants(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"variant_{c.pk}", "") for c in self.channel_list}

    def clean_planned_at(self):
        value = self.cleaned_data.get("planned_at")
        if value is not None and value < timezone.now() - PLANNED_AT_TOLERANCE:
            raise ValidationError(
                _("The planned time is in the past. Choose a later time or leave it empty."),
                code="planned_in_past",
            )
        return value

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("text", "")
        channels = cleaned.get("channels") or []
        for channel in channels:
            adapter = registry.get(channel.kind)
            variant_field = f"variant_{channel.pk}"
            variant = (cleaned.get(variant_field) or "").strip()
            length = selectors.sent_length(adapter, variant or text, cleaned.get("link") or "")
            if length > adapter.limits.max_length:
                self.add_error(
                    variant_field if variant else "text",
                    _(
                        "Too long for %(channel)s: %(length)s characters, %(max)s allowed "
                        "(counted the way %(network)s counts). Shorten the text or write an own text for this channel."
                    )
                    % {
                        "channel": channel.name,
                        "length": length,
                        "max": adapter.limits.max_length,
                        "network": adapter.label,
                    },
                )
        self._clean_new_media(cleaned)
        return cleaned

    def _clean_new_media(self, cleaned):
        upload = cleaned.get("media_file")
        captions = cleaned.get("media_captions")
        details = {
            "alt_text": cleaned.get("media_alt_text", "").strip(),
            "credit": cleaned.get("media_credit", "").strip(),
            "shows_people": cleaned.get("media_shows_people", False),
            "consent": cleaned.get("media_consent", False),
        }
        if not upload:
            if details["alt_text"] or captions:
                self.add_error("media_file", _("Please choose the file again (a browser does not keep it)."))
            return
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        try:
            processed = process_video(upload) if looks_like_mp4(head) else process_image(upload)
        except ValidationError as error:
            self.add_error("media_file", error)
            return
        if processed.kind == "video":
            if not captions:
                self.add_error(
                    "media_captions",
                    _(
                        "A video needs a captions file (WebVTT or SRT) so that people who cannot hear it can follow."
                    ),
                )
                return
            try:
                processed.captions, processed.captions_extension = process_captions(captions)
            except ValidationError as error:
                self.add_error("media_captions", error)
                return
        elif not details["alt_text"]:
            self.add_error(
                "media_alt_text",
                _("Please describe the image for people who cannot see it (alternative text)."),
            )
            return
        self.new_media = [(processed, details)]


def initial_for(post: Post) -> dict:
    initial = {
        "title": post.title,
        "text": post.text,
        "link": post.link,
        "channels": list(post.channels.all()),
        "planned_at": timezone.localtime(post.planned_at) if post.planned_at else None,
        "press_relevant": post.press_relevant,
    }
    for channel_id, text in selectors.variants_of(post).items():
        initial[f"variant_{channel_id}"] = text
    return initial


class MediaDetailsForm(forms.ModelForm):
    """Alt text, credit and consent of a medium already uploaded."""

    class Meta:
        model = Media
        fields = ("alt_text", "credit", "shows_people", "consent")
        widgets = {"alt_text": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "alt_text": gettext_lazy("Alternative text"),
            "credit": gettext_lazy("Credit / licence"),
            "shows_people": gettext_lazy("Shows identifiable people"),
            "consent": gettext_lazy("Consent recorded"),
        }


class BaseMediaFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django accepts the id of any medium here and then treats the form as a new one; only this post's
        # media are valid (another post's id was a TypeError in post_update, issue 14).
        if "id" in form.fields:
            form.fields["id"].queryset = self.get_queryset()


MediaFormSet = forms.modelformset_factory(
    Media, form=MediaDetailsForm, formset=BaseMediaFormSet, extra=0, can_delete=True
)


def media_formset(post: Post | None, data=None):
    queryset = post.media.all() if post is not None and post.pk else Media.objects.none()
    return MediaFormSet(data=data, queryset=queryset, prefix="media")


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Internal comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Only people working on this post see it; it is never published."),
    )


class RescheduleForm(forms.Form):
    """A new publication time for an approved post (the calendar's drag and drop sends the same field)."""

    planned_at = forms.DateTimeField(
        label=gettext_lazy("New publication time (Berlin time)"),
        input_formats=[DATETIME_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL_FORMAT),
        error_messages={
            "required": gettext_lazy("Please enter the new date and time."),
            "invalid": gettext_lazy("Please enter a date and time, e.g. 24.12.2026 10:00."),
        },
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

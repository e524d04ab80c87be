"""The REST API, version 1. Thin: check the token's right, convert the input, call a service.

Every view runs the services with English active (their messages are English msgids, which
:mod:`integrations.i18n` turns into German and English); answers are in the request's language.
"""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import pagination, parsers, permissions, renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from etiquette import engine
from etiquette.types import Finding
from posts import media as post_media
from posts.models import Post
from posts.selectors import build_post_like

from .. import selectors, services
from ..models import TokenRight
from . import idempotency
from .authentication import IntegrationTokenAuthentication
from .parsers import JSONParser
from .problems import PROBLEM_CONTENT_TYPE, Problem, findings_json
from .serializers import (
    ChannelSerializer,
    CheckResultSerializer,
    CreatedSerializer,
    PostContentSerializer,
    PostCreateSerializer,
    PostMultipartSerializer,
    PostSerializer,
    ProblemSerializer,
    TemplateDataSerializer,
    TemplatePreviewSerializer,
    TemplateSerializer,
    WithdrawSerializer,
)
from .throttling import TokenRateThrottle

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (e.g. a UUID). The same key with the same body answers the first "
    "result for 24 hours; with another body: 422.",
)


def problems(*codes: int) -> dict:
    return {
        code: OpenApiResponse(response=ProblemSerializer, description="application/problem+json")
        for code in codes
    }


class ProblemJSONRenderer(renderers.JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE


class APIBase(APIView):
    authentication_classes = [IntegrationTokenAuthentication]
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    renderer_classes = [renderers.JSONRenderer, ProblemJSONRenderer]
    parser_classes = [JSONParser]

    def dispatch(self, request, *args, **kwargs):
        request.api_language = translation.get_language() or "de"
        with translation.override("en"):
            return super().dispatch(request, *args, **kwargs)

    @property
    def token(self):
        return self.request.auth

    def require(self, right: str) -> None:
        services.require_right(self.token, right)


class NotFound(APIView):
    """Unknown addresses under /api/v1/ (public: it reveals nothing)."""

    authentication_classes = []
    permission_classes = []
    renderer_classes = [ProblemJSONRenderer, renderers.JSONRenderer]

    @extend_schema(exclude=True)
    def get(self, request):
        raise Problem("not-found")

    post = put = patch = delete = get


class Pagination(pagination.PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100


def _media_from_request(request, items: list[dict]) -> list:
    """Process the uploaded files named in ``media`` (as the editor does: images re-encoded, videos
    need captions, images need alt text)."""
    processed, errors = [], {}
    for index, item in enumerate(items):
        upload = request.FILES.get(item["file"])
        if upload is None:
            errors[f"media.{index}.file"] = [f"There is no file part named {item['file']}."]
            continue
        head = upload.read(16)
        upload.seek(0)
        try:
            result = (
                post_media.process_video(upload)
                if post_media.looks_like_mp4(head)
                else post_media.process_image(upload)
            )
            if result.kind == "video":
                captions = request.FILES.get(item.get("captions") or "")
                if captions is None:
                    raise ValidationError(
                        "A video needs a captions file (WebVTT or SRT) so that people who cannot hear it can follow."
                    )
                result.captions, result.captions_extension = post_media.process_captions(captions)
            elif not item["alt_text"].strip():
                raise ValidationError(
                    "Please describe the image for people who cannot see it (alternative text)."
                )
        except ValidationError as error:
            errors[f"media.{index}"] = error.messages
            continue
        details = {k: item[k] for k in ("alt_text", "credit", "shows_people", "consent")}
        processed.append((result, details))
    if errors:
        raise ValidationError(errors)
    return processed


class PostListCreate(APIBase):
    parser_classes = [JSONParser, parsers.MultiPartParser]

    @extend_schema(
        operation_id="posts_list",
        summary="List the posts of the token's departments",
        parameters=[
            OpenApiParameter("status", str, description="Only posts in this status."),
            OpenApiParameter("department", str, description="Only posts of this department (code)."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: PostSerializer(many=True), **problems(401, 403, 429)},
    )
    def get(self, request):
        self.require(TokenRight.READ)
        posts = selectors.token_posts(self.token)
        if status := request.query_params.get("status"):
            if status not in Post.Status.values:
                raise Problem(
                    "validation",
                    errors=[
                        {
                            "field": "status",
                            "code": "invalid_choice",
                            "message": {"de": "Unbekannter Status.", "en": "Unknown status."},
                        }
                    ],
                )
            posts = posts.filter(status=status)
        if department := request.query_params.get("department"):
            posts = posts.filter(department__code=department)
        posts = selectors.with_api_details(posts.order_by("-updated_at", "-id"))
        paginator = Pagination()
        page = paginator.paginate_queryset(posts, request, view=self)
        return paginator.get_paginated_response(PostSerializer(page, many=True).data)

    @extend_schema(
        operation_id="posts_create",
        summary="Create a post (draft, or submitted for review)",
        parameters=[IDEMPOTENCY_PARAMETER],
        request={"application/json": PostCreateSerializer, "multipart/form-data": PostMultipartSerializer},
        responses={201: CreatedSerializer, **problems(400, 401, 403, 409, 422, 429)},
    )
    def post(self, request):
        return idempotency.run(request, self, self._create)

    def _create(self):
        request = self.request
        self.require(TokenRight.DRAFT)
        if request.content_type.startswith("multipart/"):
            try:
                data = json.loads(request.data.get("data") or "")
            except (ValueError, RecursionError):
                raise Problem("malformed", "The part “data” must be the post as JSON.") from None
            if not isinstance(data, dict):
                raise Problem("malformed", "The part “data” must be a JSON object.")
        else:
            data = request.data
            if isinstance(data, dict) and data.get("media"):
                raise Problem("malformed", "Media need a multipart/form-data request.")
        serializer = PostCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        media_new = _media_from_request(request, values.get("media", []))
        post, findings = services.api_post_create(
            actor=request.user,
            token=self.token,
            department=values["department"],
            title=values["title"],
            text=values["text"],
            link=values["link"],
            channels=values["channels"],
            variants=values["variants"],
            planned_at=values["planned_at"],
            press_relevant=values["press_relevant"],
            media_new=media_new,
            submit=values["submit"],
        )
        post = selectors.get_post_for_token(self.token, post.pk)
        body = CreatedSerializer(post, context={"findings": findings}).data
        return Response(body, status=201, headers={"Location": f"/api/v1/posts/{post.pk}/"})


class PostDetail(APIBase):
    @extend_schema(
        operation_id="posts_read",
        summary="A post with its review state and deliveries",
        responses={200: PostSerializer, **problems(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        self.require(TokenRight.READ)
        return Response(PostSerializer(selectors.get_post_for_token(self.token, pk)).data)


class PostSubmit(APIBase):
    @extend_schema(
        operation_id="posts_submit",
        summary="Submit a draft for review",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=None,
        responses={200: CreatedSerializer, **problems(401, 403, 404, 409, 422, 429)},
    )
    def post(self, request, pk: int):
        return idempotency.run(request, self, lambda: self._submit(pk))

    def _submit(self, pk):
        self.require(TokenRight.SUBMIT)
        post = selectors.get_post_for_token(self.token, pk)
        findings = services.api_post_submit(actor=self.request.user, token=self.token, post=post)
        post = selectors.get_post_for_token(self.token, pk)
        return Response(CreatedSerializer(post, context={"findings": findings}).data)


class PostWithdraw(APIBase):
    @extend_schema(
        operation_id="posts_withdraw",
        summary="Take a post of this integration back from every channel",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=WithdrawSerializer,
        responses={200: PostSerializer, **problems(400, 401, 403, 404, 409, 429)},
    )
    def post(self, request, pk: int):
        return idempotency.run(request, self, lambda: self._withdraw(pk))

    def _withdraw(self, pk):
        self.require(TokenRight.WITHDRAW)
        post = selectors.get_post_for_token(self.token, pk)
        serializer = WithdrawSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        services.api_post_withdraw(
            actor=self.request.user, token=self.token, post=post, reason=serializer.validated_data["reason"]
        )
        return Response(PostSerializer(selectors.get_post_for_token(self.token, pk)).data)


class EtiquetteCheck(APIBase):
    @extend_schema(
        operation_id="etiquette_check",
        summary="Run the etiquette check on a text (nothing is saved)",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=PostContentSerializer,
        responses={200: CheckResultSerializer, **problems(400, 401, 429)},
    )
    def post(self, request):
        return idempotency.run(request, self, self._check)

    def _check(self):
        serializer = PostContentSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        departments = list(self.token.departments.all()[:2])
        post_like = build_post_like(
            text=values["text"],
            link=values["link"],
            channels=values["channels"],
            variants=values["variants"],
            planned_at=values["planned_at"],
            department=departments[0] if len(departments) == 1 else None,
        )
        findings = sorted(engine.check(post_like), key=Finding.sort_key)
        return Response({"blocking": any(f.blocking for f in findings), "findings": findings_json(findings)})


class ChannelList(APIBase):
    @extend_schema(
        operation_id="channels_list",
        summary="The channels this token may publish on",
        responses={200: ChannelSerializer(many=True), **problems(401, 429)},
    )
    def get(self, request):
        return Response(
            ChannelSerializer(selectors.token_channels(self.token).order_by("name"), many=True).data
        )


class TemplateList(APIBase):
    @extend_schema(
        operation_id="templates_list",
        summary="The templates (Vorlagen) of the token's departments",
        responses={200: TemplateSerializer(many=True), **problems(401, 429)},
    )
    def get(self, request):
        templates = selectors.token_templates(self.token).prefetch_related("channels")
        return Response(TemplateSerializer(templates, many=True).data)


class TemplatePreview(APIBase):
    @extend_schema(
        operation_id="templates_preview",
        summary="Fill a template with data and check it (nothing is saved)",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=TemplateDataSerializer,
        responses={200: TemplatePreviewSerializer, **problems(400, 401, 404, 429)},
    )
    def post(self, request, pk: int):
        return idempotency.run(request, self, lambda: self._preview(pk))

    def _preview(self, pk):
        template = selectors.get_template_for_token(self.token, pk)
        serializer = TemplateDataSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        rendered, findings = selectors.template_preview(template, serializer.validated_data["data"])
        return Response(
            {**rendered, "blocking": any(f.blocking for f in findings), "findings": findings_json(findings)}
        )


class TemplatePostCreate(APIBase):
    @extend_schema(
        operation_id="templates_create_post",
        summary="Create a post from a template (submitted for review unless submit=false)",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=TemplateDataSerializer,
        responses={201: CreatedSerializer, **problems(400, 401, 403, 404, 409, 422, 429)},
    )
    def post(self, request, pk: int):
        return idempotency.run(request, self, lambda: self._create(pk))

    def _create(self, pk):
        self.require(TokenRight.DRAFT)
        template = selectors.get_template_for_token(self.token, pk)
        serializer = TemplateDataSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        post, findings = services.template_post_create(
            integration=self.token.integration,
            token=self.token,
            template=template,
            data=values["data"],
            planned_at=values["planned_at"],
            submit=values["submit"],
        )
        post = selectors.get_post_for_token(self.token, post.pk)
        body = CreatedSerializer(post, context={"findings": findings}).data
        return Response(body, status=201, headers={"Location": f"/api/v1/posts/{post.pk}/"})

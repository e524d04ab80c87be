"""Filters of the post list (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from channels.models import Channel
from departments.models import Department

from .models import Post
from .search import matches_any_spelling


class PostFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search in title and text"), method="search")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Post.Status.choices, widget=forms.CheckboxSelectMultiple
    )
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), queryset=Department.objects.none(), empty_label=_("all")
    )
    channel = django_filters.ModelChoiceFilter(
        label=_("Channel"),
        field_name="channels",
        queryset=Channel.objects.order_by("name"),
        empty_label=_("all"),
    )
    author = django_filters.ModelChoiceFilter(
        label=_("Author"), queryset=get_user_model().objects.none(), empty_label=_("all")
    )
    date_from = django_filters.DateFilter(
        label=_("Planned from"),
        field_name="planned_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        label=_("Planned until"),
        field_name="planned_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Post
        fields = ("q", "status", "department", "channel", "author", "date_from", "date_to")

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = departments if departments is not None else Department.objects.none()
        self.filters["department"].queryset = departments
        # EXISTS instead of a join + DISTINCT: with 100,000 posts the join made this the slowest query
        # of the page; the semi-join probes the author index once per user (bench/pages_bench.py).
        wrote_here = Post.objects.filter(author=OuterRef("pk"), department__in=departments)
        self.filters["author"].queryset = (
            get_user_model().objects.filter(Exists(wrote_here)).order_by("username")
        )

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            queryset = queryset.filter(matches_any_spelling(word, "title", "text"))
        return queryset

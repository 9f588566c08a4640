"""Routes of resident import and export (kept apart from the registry's other pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

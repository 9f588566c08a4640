"""Routes of visits, certifications and annual re-verification."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

"""The shop's URLs plus one view that fails, for the 500 page's test."""

from django.urls import path

from config.urls import handler500, urlpatterns

__all__ = ["handler500", "urlpatterns"]


def fail(request):
    raise RuntimeError("a view that fails")


urlpatterns = [path("fail/", fail), *urlpatterns]

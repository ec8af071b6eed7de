from django.contrib import admin
from django.urls import path

from shop import views

# /healthz and /readiness are answered by ponyexpress_django's ProbeMiddleware
# before URL routing, so they are deliberately not listed here.
urlpatterns = [
    path("", views.index, name="index"),
    path("admin/", admin.site.urls),
]

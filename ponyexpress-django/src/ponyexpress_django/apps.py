from django.apps import AppConfig


class PonyexpressConfig(AppConfig):
    """Optional: in INSTALLED_APPS it adds the `manage.py check` rules of checks.py."""

    name = "ponyexpress_django"
    verbose_name = "ponyexpress"

    def ready(self):
        from . import checks  # noqa: F401  (registers the checks)

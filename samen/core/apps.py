from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "samen.core"
    label = "core"
    verbose_name = _("Samen core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from samen.core import checks  # noqa: F401  (registers system checks)

        # Each app may declare navigation and demo data in its own nav.py / demo.py.
        autodiscover_modules("nav")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnderstandingConfig(AppConfig):
    name = "samen.understanding"
    label = "understanding"
    verbose_name = _("Understanding")

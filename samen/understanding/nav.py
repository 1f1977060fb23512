from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

register(NavItem("listening", _("Listening"), "understanding:rules",
                 (Role.COMMS_LEAD, Role.MANAGER), order=50, group="insights"))
register(NavItem("alerts", _("Trend alerts"), "understanding:alerts",
                 (Role.COMMS_LEAD, Role.MANAGER), order=51, group="insights"))

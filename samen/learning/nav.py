from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

register(NavItem("learning.sessions", _("Lunch sessions"), "learning:sessions", (),
                 order=50, group="ambassadors"))
register(NavItem("learning.courses", _("Courses"), "learning:courses", (),
                 order=51, group="ambassadors"))
register(NavItem("learning.champions", _("Champions"), "learning:champions",
                 (Role.MANAGER, Role.COMMS_LEAD), order=52, group="ambassadors"))

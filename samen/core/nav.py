from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

register(NavItem("lead", _("Overview"), "core:lead_home", (Role.COMMS_LEAD,),
                 order=10, group="admin"))
register(NavItem("team", _("Conversation team"), "core:team_home", (Role.TEAM,),
                 order=20, group="conversations"))
register(NavItem("management", _("Management"), "core:manager_home", (Role.MANAGER,),
                 order=30, group="insights"))
register(NavItem("ambassador", _("Ambassador"), "core:ambassador_home", (),
                 order=40, group="ambassadors"))
register(NavItem("people", _("People"), "core:people", (Role.COMMS_LEAD,), order=80, group="admin"))
register(NavItem("organisation", _("Organisation"), "core:organisation", (Role.COMMS_LEAD,),
                 order=85, group="admin"))
register(NavItem("audit", _("Audit log"), "core:audit_log", (Role.COMMS_LEAD,),
                 order=90, group="admin"))

from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

register(NavItem("inbox", _("Inbox"), "inbox:list", (Role.TEAM, Role.COMMS_LEAD),
                 order=15, group="conversations"))
register(NavItem("inbox_approvals", _("Approvals"), "inbox:approvals", (Role.MANAGER,),
                 order=32, group="conversations"))
register(NavItem("inbox_policy", _("Inbox policy"), "inbox:policy", (Role.COMMS_LEAD,),
                 order=86, group="admin"))
register(NavItem("inbox_notices", _("Notices"), "inbox:notices",
                 (Role.TEAM, Role.MANAGER, Role.COMMS_LEAD), order=95, group="conversations"))

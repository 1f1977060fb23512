from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

register(NavItem("sources", _("Sources"), "sources:accounts", (Role.COMMS_LEAD,),
                 order=60, group="admin"))

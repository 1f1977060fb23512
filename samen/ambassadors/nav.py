from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

register(NavItem("ambassadors.guidelines", _("Guidelines"), "ambassadors:guidelines", (),
                 order=41, group="ambassadors"))
register(NavItem("ambassadors.privacy", _("Privacy guides"), "ambassadors:privacy", (),
                 order=42, group="ambassadors"))
register(NavItem("ambassadors.hub", _("Content hub"), "ambassadors:hub", (),
                 order=43, group="ambassadors"))
register(NavItem("ambassadors.hub_manage", _("Curate the hub"), "ambassadors:hub_manage",
                 (Role.COMMS_LEAD, Role.TEAM), order=44, group="ambassadors"))
register(NavItem("ambassadors.guidelines_manage", _("Guidelines: publish"),
                 "ambassadors:guidelines_manage", (Role.COMMS_LEAD,), order=45,
                 group="ambassadors"))

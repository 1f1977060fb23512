from django.utils.translation import gettext_lazy as _

from samen.core.navigation import NavItem, register
from samen.core.roles import Role

# The weekly report and the scan rounds are linked from these pages, to keep the menu short.
register(NavItem("insights", _("Insights"), "insights:dashboard",
                 (Role.MANAGER, Role.COMMS_LEAD), order=50, group="insights"))
register(NavItem("insights_scan", _("Maturity scan"), "insights:scan", (),
                 order=60, group="ambassadors"))
register(NavItem("insights_scan_results", _("Scan results"), "insights:scan_results",
                 (Role.MANAGER, Role.COMMS_LEAD), order=61, group="insights"))

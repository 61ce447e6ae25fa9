from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    PARK = "park", _("Park")
    CENTRE = "centre", _("Centre")


class Ownership(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    FOREIGN = "foreign", _("Foreign-invested")
    HMT = "hmt", _("Hong Kong, Macao or Taiwan-invested")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    MOVED_OUT = "moved_out", _("Moved out")
    DEREGISTERED = "deregistered", _("Deregistered")


IN_BUSINESS = (EnterpriseStatus.OPERATING, EnterpriseStatus.SUSPENDED)


class Role(models.TextChoices):
    ZONE_ADMIN = "zone_admin", _("Zone administrator")
    ANALYST = "analyst", _("Analyst")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    ENTERPRISE = "enterprise", _("Enterprise user")


class AccountAction(models.TextChoices):
    CREATED = "created", _("Log-in created")
    CHANGED = "changed", _("Name or role changed")
    PASSWORD_RESET = "password_reset", _("Temporary password given")
    PASSWORD_CHANGED = "password_changed", _("Changed own password")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")


class CodeLevel(models.TextChoices):
    SECTION = "section", _("Section")
    DIVISION = "division", _("Division")
    GROUP = "group", _("Group")
    CLASS = "class", _("Class")

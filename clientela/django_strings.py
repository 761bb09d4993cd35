"""Django strings that its own Spanish catalog does not translate yet; listed here so our
catalog carries them (LOCALE_PATHS is searched before Django's)."""

from django.utils.translation import gettext_lazy as _

STRINGS = [
    _("- Select an option -"),
]

"""Tax identifiers and phone numbers, validated with python-stdnum and phonenumbers.

Shared by the model (clean), forms, serializers and the importer. Validation is "loose" in the
SPEC's sense: where the country has a known scheme the number must be valid for it; elsewhere
any plausible identifier is accepted.
"""

import functools
import re
from importlib import import_module
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError

# Country → python-stdnum modules that validate its tax identifiers (the first that accepts wins).
TAX_SCHEMES: dict[str, tuple[str, ...]] = {
    "ES": ("stdnum.es.nif",),
    "MX": ("stdnum.mx.rfc",),
    "AR": ("stdnum.ar.cuit",),
    "CL": ("stdnum.cl.rut",),
    "CO": ("stdnum.co.nit",),
    "PE": ("stdnum.pe.ruc", "stdnum.pe.cui"),
    "UY": ("stdnum.uy.rut",),
    "EC": ("stdnum.ec.ruc", "stdnum.ec.ci"),
    "VE": ("stdnum.ve.rif",),
    "PT": ("stdnum.pt.nif",),
    "BR": ("stdnum.br.cnpj", "stdnum.br.cpf"),
    "CR": ("stdnum.cr.cpj", "stdnum.cr.cpf"),
    "GT": ("stdnum.gt.nit",),
    "DO": ("stdnum.do.rnc", "stdnum.do.cedula"),
    "FR": ("stdnum.fr.siren", "stdnum.fr.tva"),
    "IT": ("stdnum.it.iva", "stdnum.it.codicefiscale"),
    "DE": ("stdnum.de.vat",),
}
SCHEME_NAMES = {
    "ES": "NIF/CIF/NIE",
    "MX": "RFC",
    "AR": "CUIT",
    "CL": "RUT",
    "CO": "NIT",
    "PE": "RUC",
    "UY": "RUT",
    "EC": "RUC",
    "VE": "RIF",
}
GENERIC = re.compile(r"^[A-Z0-9][A-Z0-9.\-/ ]{2,31}$")


def tax_scheme_name(country: str) -> str:
    return SCHEME_NAMES.get(str(country or ""), _("tax ID"))


def _modules(country: str) -> list[Any]:
    return [import_module(name) for name in TAX_SCHEMES.get(country, ())]


def normalise_tax_id(value: str, country: str) -> str:
    """The compact, valid form of `value` for `country`; raises ValidationError if invalid."""
    text = (value or "").strip().upper()
    if not text:
        return ""
    country = str(country or "")
    modules = _modules(country)
    if not modules:
        if not GENERIC.match(text):
            raise ValidationError(_("“%(value)s” does not look like a tax ID.") % {"value": value}, code="invalid")
        return re.sub(r"[\s.\-/]", "", text)
    candidates = [text]
    if country and text.startswith(country) and len(text) > len(country) + 2:
        candidates.append(text[len(country) :])  # a VAT-style number, e.g. ESB12345678
    for candidate in candidates:
        for module in modules:
            try:
                return module.validate(candidate)
            except StdnumError:
                continue
    raise ValidationError(
        _("“%(value)s” is not a valid %(scheme)s.") % {"value": value, "scheme": tax_scheme_name(country)},
        code="invalid",
    )


@functools.lru_cache(maxsize=4096)
def format_tax_id(value: str, country: str) -> str:
    """The stored (compact) tax ID as its country writes it, e.g. the CUIT 30712345671 as
    30-71234567-1. Cached: a list shows dozens per page and the answer never changes."""
    for module in _modules(str(country or "")):
        try:
            module.validate(value)
        except StdnumError:
            continue
        return module.format(value) if hasattr(module, "format") else value
    return value


def normalise_phone(value: str, country: str) -> str:
    """International format (+34 912 34 56 78); raises ValidationError if it cannot be a number."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, str(country or "ES") or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("“%(value)s” is not a phone number.") % {"value": value}, code="invalid") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValidationError(
            _("“%(value)s” is not a possible phone number; include the country prefix if it is foreign.")
            % {"value": value},
            code="invalid",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

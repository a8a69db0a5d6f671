# -*- coding: utf-8 -*-

# Copyright: v6vpn.aws contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The OpenVPN PKI's lifetime and date rules (module_utils/pki.py), for the openvpn role's
validation. Documentation: openvpn_pki_lifetimes_error.yml, date_error.yml.
"""

from __future__ import annotations

from ansible_collections.v6vpn.aws.plugins.module_utils.pki import check_lifetimes
from ansible_collections.v6vpn.aws.plugins.module_utils.pki import check_until_date
from ansible_collections.v6vpn.aws.plugins.module_utils.validation import problem

ROLE_NAMES = dict(ca_days="openvpn_pki_ca_days", cert_days="openvpn_pki_cert_days", crl_days="openvpn_pki_crl_days",
                  renew_days="openvpn_pki_renew_days")


def openvpn_pki_lifetimes_error(ca_days, cert_days, renew_days, crl_days):
    """Why the PKI lifetimes do not fit together (the openvpn role's names), or ``''``."""
    return problem(check_lifetimes, ca_days, cert_days, renew_days, crl_days, ROLE_NAMES)


def date_error(value, name="value"):
    """Why ``value`` is neither empty nor a date YYYY-MM-DD, or ``''``."""
    return problem(check_until_date, value, name)


class FilterModule:
    """The PKI filters of v6vpn.aws."""

    def filters(self):
        return {"openvpn_pki_lifetimes_error": openvpn_pki_lifetimes_error, "date_error": date_error}

"""The v6vpn.aws.openvpn_pki_lifetimes_error and date_error filters (plugins/filter/pki.py)."""

from ansible_collections.v6vpn.aws.plugins.filter.pki import FilterModule, date_error, openvpn_pki_lifetimes_error


def test_filters_are_registered():
    assert FilterModule().filters() == {"openvpn_pki_lifetimes_error": openvpn_pki_lifetimes_error, "date_error": date_error}


def test_the_role_defaults_fit():
    assert openvpn_pki_lifetimes_error(3650, 3650, 30, 3650) == ""


def test_names_the_role_variables_and_reports_every_problem():
    assert openvpn_pki_lifetimes_error(365, 730, "x", 0) == "; ".join([
        "openvpn_pki_crl_days: 0 is not a whole number from 1 to 36500",
        "openvpn_pki_renew_days: 'x' is not a whole number from 1 to 36500",
        "openvpn_pki_cert_days: 730 is more than openvpn_pki_ca_days (365); a certificate cannot outlive the CA that signs it",
    ])


def test_date_error():
    assert date_error("", "openvpn_tls_crypt_v1_until") == ""
    assert date_error("2027-03-31", "openvpn_tls_crypt_v1_until") == ""
    assert date_error("2027-13-01", "openvpn_tls_crypt_v1_until") == (
        "openvpn_tls_crypt_v1_until: '2027-13-01' is not a date (YYYY-MM-DD, UTC) or empty")

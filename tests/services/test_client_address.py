"""The client's address comes from X-Forwarded-For only through trusted proxies."""

import pytest

from balie.services.client_address import client_address, from_headers, network_of, parse_networks
from balie.settings import Settings

PROXY = parse_networks(["127.0.0.1", "10.0.0.0/8"])


def test_untrusted_peer_is_the_client_whatever_the_header_says() -> None:
    assert client_address("203.0.113.9", "198.51.100.1", PROXY) == "203.0.113.9"


def test_no_trusted_proxies_means_the_header_is_ignored() -> None:
    assert client_address("127.0.0.1", "198.51.100.1", ()) == "127.0.0.1"


def test_trusted_proxy_passes_the_last_untrusted_hop() -> None:
    # The citizen forged the first entry; the proxy appended the address it really saw.
    header = "6.6.6.6, 198.51.100.7, 10.1.2.3"
    assert client_address("127.0.0.1", header, PROXY) == "198.51.100.7"


def test_malformed_hop_stops_at_the_last_vouched_address() -> None:
    assert client_address("127.0.0.1", "198.51.100.7, not-an-ip", PROXY) == "127.0.0.1"


def test_ipv4_mapped_peer_is_read_as_ipv4() -> None:
    assert client_address("::ffff:127.0.0.1", "198.51.100.7", PROXY) == "198.51.100.7"


def test_headers_mapping_is_read() -> None:
    headers = {"x-forwarded-for": "198.51.100.8"}
    assert from_headers("10.9.9.9", headers, PROXY) == "198.51.100.8"


def test_network_of_groups_neighbours() -> None:
    assert network_of("198.51.100.7") == "198.51.100.0/24"
    assert network_of("2001:db8:1:2:3::1") == "2001:db8:1::/56"


def test_settings_refuse_a_bad_proxy_entry() -> None:
    with pytest.raises(ValueError):
        Settings(trusted_proxies=["not a network"])
    assert Settings(trusted_proxies=["127.0.0.1"]).trusted_proxy_networks()[0].num_addresses == 1

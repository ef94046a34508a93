import pytest

from domain.carriers import resolve_carrier, unmapped_message
from domain.ports import TemuCarrier

TEMU = [
    TemuCarrier(1, "USPS", "USPS"),
    TemuCarrier(2, "UPS", "UPS"),
    TemuCarrier(3, "FedEx", "FedEx"),
    TemuCarrier(4, "DHL eCommerce", "DHL"),
]


class TestByName:
    @pytest.mark.parametrize(
        ("code", "expected"),
        [
            ("stamps_com", 1),
            ("endicia", 1),
            ("usps", 1),
            ("ups", 2),
            ("ups_walleted", 2),
            ("fedex", 3),
            ("dhl_ecommerce", 4),
            ("dhl_global_mail", 4),
        ],
    )
    def test_shipstation_codes_map_to_temu_carriers_by_name(self, code, expected):
        assert resolve_carrier(code, TEMU, {}) == expected

    def test_dhl_express_is_not_guessed_as_dhl_ecommerce(self):
        assert resolve_carrier("dhl_express", TEMU, {}) is None

    def test_an_unknown_carrier_is_not_guessed(self):
        assert resolve_carrier("asendia", TEMU, {}) is None

    def test_two_temu_carriers_of_the_same_name_are_ambiguous(self):
        twins = [*TEMU, TemuCarrier(9, "USPS", "USPS")]
        assert resolve_carrier("stamps_com", twins, {}) is None


class TestOverrides:
    def test_an_override_wins_over_the_name(self):
        assert resolve_carrier("stamps_com", TEMU, {"stamps_com": 77}) == 77

    def test_the_message_names_the_command_that_fixes_it(self):
        assert "temuship carriers acme --map asendia=" in unmapped_message("acme", "asendia")

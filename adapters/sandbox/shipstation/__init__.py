"""The simulated ShipStation V1 API."""

"""The simulated Temu Open Platform API."""

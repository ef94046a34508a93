"""Simulated Temu and ShipStation APIs on 127.0.0.1: try temuship without accounts."""

"""ShipStation's webhook deliveries: the receiver `temuship serve` runs (receiver.py), V2's
RSA-SHA256 signatures (signatures.py), and the hand-off that coalesces bursts (hints.py)."""

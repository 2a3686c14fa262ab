"""Customs declarations: what to send when, the gateway and carrier ports, receipts."""

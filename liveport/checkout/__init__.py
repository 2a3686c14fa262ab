"""Checkout: a basket becomes an order under the cross-border limits, tax and positive list."""

"""Sandbox e-CNY operator: wallets with categories and limits, merchant pre-orders, a cashier
page confirmed with a PIN, real-name payer checks for cross-border orders, signed
notifications with back-off, refunds to the source wallet, statements, customs declarations.

It imports nothing of Liveport but ``liveport.protocols`` and the sandboxes' shared
``payment_provider`` package; its rules (limits, identity match) are its own.
"""

"""Sandbox card acquirer: authorise / capture / refund with test cards (listed in
liveport/protocols/card.py) that succeed, decline or answer too late; a hosted card page;
notifications, statements and customs declarations like the e-CNY operator's.

It imports nothing of Liveport but ``liveport.protocols`` and the sandboxes' shared
``payment_provider`` package.
"""

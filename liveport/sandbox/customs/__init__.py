"""Sandbox China customs single window: takes CEB messages in DXP envelopes, checks their
format and signatures, performs the three-document match with its own code, and sends
receipts back asynchronously (app.py lists the routes and settings).

Like every sandbox it imports nothing of Liveport but ``liveport.protocols``.
"""

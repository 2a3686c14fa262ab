"""Sandbox logistics carrier: issues waybills to signed merchant requests, keeps tracking
events, and files each waybill's CEB511 with the customs single window itself (app.py lists
the routes and settings).

Like every sandbox it imports nothing of Liveport but ``liveport.protocols``.
"""

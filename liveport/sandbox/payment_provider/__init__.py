"""What the sandbox e-CNY operator and card acquirer have in common: merchants and their
keys, the provider's own key, trades, refunds, statements, customs declarations and the
notification sender.

Like every sandbox it imports nothing of Liveport but ``liveport.protocols``; it is shared
by the two payment sandboxes only, so neither copies the other.
"""

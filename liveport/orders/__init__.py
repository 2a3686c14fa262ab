"""Orders: the cross-border order's state machine, its lines and its trail."""

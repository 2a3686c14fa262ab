"""Fulfilment (issue 9): released orders are picked and packed in their warehouse, handed to
the carrier that already holds their waybill (the customs pipeline asked for it: CEB511), and
followed to the door by the carrier's tracking events: picked_up moves the order to
``shipped``, delivered to ``delivered``; each step lands in the order's trail with the
carrier's time.

9610 direct-mail orders take the same path after release: their parcel flew in on the flight
the waybill names and cleared customs with its inventory list, so what remains is the
domestic leg from the port's warehouse (the order's warehouse) to the door, packed and
tracked exactly like a bonded (1210) parcel.
"""

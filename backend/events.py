"""Domain events one feature announces and others act on, so the announcing feature never imports them.

Receivers run inside the sender's transaction: what they change commits (or rolls back) with the event.
"""

from blinker import Namespace

signals = Namespace()

# Sent by votes when a result is announced: sender is the Vote, ``result`` the VoteTally (votes/tally.py).
vote_announced = signals.signal("vote-announced")

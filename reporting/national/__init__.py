"""National monitoring (Kemendagri, Sekber SPM): the national dashboard and the SPM Awards scorecard.

``figures`` and ``scorecard`` are pure (plain values, Decimal, no ORM); ``dashboard`` and ``awards`` gather
their inputs from stored rows with a fixed number of queries whatever the number of daerah.
"""

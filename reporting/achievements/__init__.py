"""Capaian SPM and the IP-SPM: the pure formula (``formula``), the service that stores achievements
(``services``) and the reads of stored achievements for the dashboards and ranking (``dashboard``).
"""

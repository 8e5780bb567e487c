"""Number formats of the English interface: the same Indonesian separators (1.250, 40,65) as in Bahasa
Indonesia, so a figure reads the same whichever language a user picks (one number format, issue 12)."""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

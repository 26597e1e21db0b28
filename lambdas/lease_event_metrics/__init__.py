"""Leasing activity metrics per community from lease events, counted once despite redeliveries."""

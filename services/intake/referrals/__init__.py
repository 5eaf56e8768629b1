"""Referrals (segnalazioni): a person in distress reported through a channel, handed over."""

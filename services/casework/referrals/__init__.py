"""Service referrals: a case referred to a directory service, answered by its organisation."""

"""Approvals: a supervisor of the lead organisation approves a case's first plan and each
closure, or sends it back with a reason."""

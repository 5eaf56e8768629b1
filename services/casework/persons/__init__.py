"""What casework follows of intake's persons: merges, splits, erasures, consent."""

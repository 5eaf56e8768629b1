"""Subject access: everything casework holds on a person."""

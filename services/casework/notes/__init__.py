"""Case notes, each with its confidentiality level."""

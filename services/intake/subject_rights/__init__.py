"""Data-subject rights across intake's features: access (export), erasure, merge and split."""

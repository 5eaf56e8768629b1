"""Individual plans (PEI/PAI): goals and actions, versioned."""

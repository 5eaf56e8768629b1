"""The minors' track of a case: guardian, age assessment, placements, the transition at 18."""

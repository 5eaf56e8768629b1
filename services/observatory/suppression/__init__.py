"""Small-cell protection of linked tables: primary suppression, secondary suppression by
Gaussian elimination (`gauss`) and an audit by linear programming that widens what it must
(`audit`). Pure: no I/O. `protection.protect` is the entry point; `tables` states a family
of linked tables as the linear model the other modules read."""

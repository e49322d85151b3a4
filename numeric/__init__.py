"""lossgeom.numeric: evaluation at a chosen precision (mpmath, default 50 digits) and in float64."""

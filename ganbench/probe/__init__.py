"""`ganbench probe-metrics`: damaged held-out real samples scored against the reference, to see which metric
detects which failure (mode dropping, invention, outliers, memorization, blur / spread, truncation)."""

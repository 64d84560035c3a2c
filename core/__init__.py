"""What every stage shares: the error hierarchy and the records that flow between stages."""

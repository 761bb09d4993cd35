"""CCT and SC indicators, targets, management review, risks and opportunities."""

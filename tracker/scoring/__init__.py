"""Score rules, the scorecard ledger, the leaders' dashboard, bulletins (通报) and exports."""

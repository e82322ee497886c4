"""Assignment and acknowledgement, extensions, close-out, leaders' instructions
(later: lights, alerts, deliveries, supervision notices, jobs)."""

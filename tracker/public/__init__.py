"""The public progress page of a published plan (/public/plans/<slug>), no sign-in."""

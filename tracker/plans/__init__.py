"""Plans, their sections and tasks, and the responsible units; seeding and export."""

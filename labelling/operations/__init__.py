"""Running the platform: the staff's page of undelivered e-mail and failed background jobs.
It reads the outbox and the job queue, and asks the bodies who runs the platform."""

"""Training: the report generator, its steps and optimizers, batching, schedules, devices, memory."""

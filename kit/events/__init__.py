"""Domain events: the CloudEvents envelope, event type declarations and their JSON Schemas."""

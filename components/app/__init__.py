"""The app: the MVP EC2 backend, the Fargate service, its image registry, firewall and config."""

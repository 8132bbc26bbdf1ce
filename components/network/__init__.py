"""The network layer: the VPC and its subnets, routes and NAT, flow logs, security groups."""

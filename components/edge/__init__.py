"""The edge: S3 assets, CloudFront, the WAF, certificates, DNS records and the load balancer."""

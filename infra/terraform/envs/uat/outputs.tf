# Read by the deploy pipeline (terraform output -json) and by the Kustomize overlay's values
# (docs/infrastructure.md). Same names in every environment; modules/platform documents them.

output "region" {
  description = "AWS region of the environment (AWS_REGION)."
  value       = module.platform.region
}

output "cluster_name" {
  description = "EKS cluster name (aws eks update-kubeconfig --name ...)."
  value       = module.platform.cluster_name
}

output "namespace" {
  description = "Kubernetes namespace of the app."
  value       = module.platform.namespace
}

output "ecr_repository_url" {
  description = "Shared ECR repository the images are pulled from (by digest)."
  value       = module.platform.ecr_repository_url
}

output "app_role_arn" {
  description = "IAM role of the app's service account (through EKS Pod Identity)."
  value       = module.platform.app_role_arn
}

output "tmdb_secret_arn" {
  description = "Secrets Manager ARN of the TMDB key (TMDB_SECRET_ID)."
  value       = module.platform.tmdb_secret_arn
}

output "secret_key_secret_arn" {
  description = "Secrets Manager ARN of the token-signing key (SECRET_KEY_SECRET_ID)."
  value       = module.platform.secret_key_secret_arn
}

output "database_secret_arn" {
  description = "Secrets Manager ARN of the RDS-managed master secret (DATABASE_SECRET_ID)."
  value       = module.platform.database_secret_arn
}

output "database_endpoint" {
  description = "PostgreSQL host:port (credentials come from the secret)."
  value       = module.platform.database_endpoint
}

output "database_name" {
  description = "Name of the application database."
  value       = module.platform.database_name
}

output "redis_endpoint" {
  description = "Cache primary endpoint host (REDIS_URL=rediss://<host>:6379/0)."
  value       = module.platform.redis_endpoint
}

output "vpc_id" {
  description = "VPC ID of the environment."
  value       = module.platform.vpc_id
}

output "nat_public_ips" {
  description = "Egress IPs of the environment."
  value       = module.platform.nat_public_ips
}

output "topology" {
  description = "AZs, NAT gateways, Auto Mode settings, database and cache resilience of the environment."
  value       = module.platform.topology
}

output "runner_project" {
  description = "CodeBuild project of the environment's GitHub Actions runner."
  value       = module.platform.runner_project
}

output "parameter_path" {
  description = "SSM path of the values the release step renders into the overlay."
  value       = module.platform.parameter_path
}

output "published_parameters" {
  description = "SSM parameters published under parameter_path."
  value       = module.platform.published_parameters
}

output "certificate_arn" {
  description = "ACM certificate of the public host."
  value       = module.platform.certificate_arn
}

output "certificate_validation_records" {
  description = "DNS records validating the certificate (create them when route53_zone_id is null)."
  value       = module.platform.certificate_validation_records
}

output "load_balancer_dns_name" {
  description = "DNS name of the ingress's ALB once the first release made it (null before): what public_host's CNAME points at without Route 53."
  value       = module.platform.load_balancer_dns_name
}

output "public_record" {
  description = "The alias record of public_host Terraform owns (with route53_zone_id, once the ALB exists)."
  value       = module.platform.public_record
}

output "cluster_dns_ip" {
  description = "Cluster DNS address the NetworkPolicies allow port 53 to."
  value       = module.platform.cluster_dns_ip
}

# Pull-request previews (docs/previews.md): one Fargate task per open pull request, at
# https://pr-<n>.<domain>, in dev's VPC and under dev's permissions boundary. The workflow
# .github/workflows/preview.yml creates and deletes the per-PR pieces; this is the shared part.

module "previews" {
  source = "../../modules/previews"

  name        = "netflix-clone-${local.environment}"
  environment = local.environment

  vpc_id                   = module.platform.vpc_id
  vpc_cidr                 = module.platform.vpc_cidr
  private_subnet_ids       = module.platform.private_subnet_ids
  public_subnet_ids        = module.platform.public_subnet_ids
  permissions_boundary_arn = module.platform.permissions_boundary_arn

  # pr-<n>.previews.dev.netflix-clone.example.com; with the Route 53 zone's id Terraform also
  # writes the wildcard record and the certificate's validation record.
  domain          = "previews.dev.netflix-clone.example.com"
  route53_zone_id = null

  # Reviewers reach the previews from anywhere; narrow this to the office or VPN egress
  # ranges to keep unreleased work private.
  ingress_cidrs = ["0.0.0.0/0"]

  max_previews       = 5
  idle_days          = 3
  image_expiry_days  = 14
  use_spot           = true
  log_retention_days = 30
  # dev is throw-away: a destroy of the environment takes the previews with it.
  deletion_protection = false
}

output "previews" {
  description = "Pull-request previews: cluster, load balancer, DNS and certificate records, the SSM parameter the workflow reads."
  value = {
    cluster_name                   = module.previews.cluster_name
    load_balancer_dns_name         = module.previews.load_balancer_dns_name
    repository_url                 = module.previews.repository_url
    config_parameter_name          = module.previews.config_parameter_name
    dns_record                     = module.previews.dns_record
    certificate_validation_records = module.previews.certificate_validation_records
  }
}

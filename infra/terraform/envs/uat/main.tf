# uat: production's shape at a smaller size, so releases are rehearsed on the same topology.
# Everything that differs between environments is in this file; the composition is
# modules/platform (variables.tf there documents and validates each value).

locals {
  environment = "uat"
  region      = "eu-west-1"
}

provider "aws" {
  region = local.region

  # The deploy roles' EC2 and KMS rights are scoped by the environment tag, so every resource
  # must carry it.
  default_tags {
    tags = {
      project     = "netflix-clone"
      environment = local.environment
      managed-by  = "terraform"
    }
  }
}

module "platform" {
  source = "../../modules/platform"

  environment = local.environment
  region      = local.region
  vpc_cidr    = "10.20.0.0/16"

  # Platform team and break-glass roles (cluster-admin); the cluster's creator gets no admin
  # rights, so add them before the first apply.
  admin_principal_arns = []

  # Kubernetes API reachable only from inside the VPC (see docs/infrastructure.md).
  endpoint_public_access = false

  # Where clients reach the API; the certificate is issued for it. Give the Route 53 zone's id
  # and Terraform validates the certificate itself (otherwise create the records printed by
  # `terraform output certificate_validation_records`).
  public_host     = "api.uat.netflix-clone.example.com"
  route53_zone_id = null

  single_nat_gateway = false

  db_instance_class        = "db.t4g.small"
  db_multi_az              = false
  db_deletion_protection   = true
  db_backup_retention_days = 7
  db_skip_final_snapshot   = false

  cache_node_type = "cache.t4g.small"
  cache_nodes     = 2

  secret_recovery_window_days = 30
}

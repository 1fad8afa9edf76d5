# dev: smallest footprint that still exercises every piece (one NAT, single-AZ database).
# Everything that differs between environments is in this file; the composition is
# modules/platform (variables.tf there documents and validates each value).

locals {
  environment = "dev"
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
  vpc_cidr    = "10.10.0.0/16"

  # Platform team and break-glass roles (cluster-admin); the cluster's creator gets no admin
  # rights, so add them before the first apply.
  admin_principal_arns = []

  # Kubernetes API reachable only from inside the VPC (see docs/infrastructure.md).
  endpoint_public_access = false

  # Where clients reach the API; the certificate is issued for it. Give the Route 53 zone's id
  # and Terraform validates the certificate itself (otherwise create the records printed by
  # `terraform output certificate_validation_records`).
  public_host     = "api.dev.netflix-clone.example.com"
  route53_zone_id = null

  # The cheaper dev profile (docs/infrastructure.md, "Rough monthly cost"): one NAT gateway, no
  # interface endpoints (AWS API traffic goes through NAT: a few GB a month here, cents), and
  # logs kept two weeks. uat and prod keep prod's shape.
  single_nat_gateway  = true
  interface_endpoints = []
  log_retention_days  = 14

  db_instance_class        = "db.t4g.micro"
  db_multi_az              = false
  db_deletion_protection   = false
  db_backup_retention_days = 1
  db_skip_final_snapshot   = true

  cache_node_type = "cache.t4g.micro"
  cache_nodes     = 1

  secret_recovery_window_days = 7
}

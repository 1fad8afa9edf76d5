# Mocked AWS for the offline tests of modules/platform and of every envs/<env> root
# (mock_provider "aws" { source = ... }): nothing is created; data sources return these values
# and computed attributes are made up. The provider still validates arguments, so ARNs that
# feed other resources must look real.

mock_data "aws_caller_identity" {
  defaults = { account_id = "111122223333" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}
mock_data "aws_availability_zones" {
  defaults = { names = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
}
mock_data "aws_ecr_repository" {
  defaults = { repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/netflix-clone" }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::111122223333:role/mock" }
}
mock_resource "aws_iam_policy" {
  defaults = { arn = "arn:aws:iam::111122223333:policy/mock" }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:mock" }
}
mock_resource "aws_eks_cluster" {
  defaults = {
    arn                   = "arn:aws:eks:eu-west-1:111122223333:cluster/mock"
    certificate_authority = [{ data = "bW9jaw==" }]
  }
}
mock_resource "aws_db_instance" {
  defaults = {
    resource_id = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    master_user_secret = [{
      secret_arn    = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-mock-AbCdEf"
      kms_key_id    = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000"
      secret_status = "active"
    }]
  }
}
mock_data "aws_ssm_parameter" {
  defaults = { value = "arn:aws:codeconnections:eu-west-1:111122223333:connection/00000000-0000-0000-0000-000000000000" }
}
mock_resource "aws_elasticache_replication_group" {
  defaults = { arn = "arn:aws:elasticache:eu-west-1:111122223333:replicationgroup:mock" }
}
mock_resource "aws_elasticache_user" {
  defaults = { arn = "arn:aws:elasticache:eu-west-1:111122223333:user:mock" }
}
mock_resource "aws_acm_certificate" {
  defaults = {
    arn = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
    domain_validation_options = [{
      domain_name           = "api.example.com"
      resource_record_name  = "_abc.api.example.com."
      resource_record_type  = "CNAME"
      resource_record_value = "_def.acm-validations.aws."
    }]
  }
}

# AWS's calendar says the configured version is in standard support; a test overrides it.
mock_data "aws_eks_cluster_versions" {
  defaults = {
    cluster_versions = [{
      cluster_type                 = "eks"
      cluster_version              = "1.35"
      default_platform_version     = "eks.1"
      default_version              = false
      end_of_extended_support_date = "2028-03-27T00:00:00Z"
      end_of_standard_support_date = "2027-03-27T00:00:00Z"
      kubernetes_patch_version     = "1.35.4"
      release_date                 = "2026-01-27T00:00:00Z"
      version_status               = "STANDARD_SUPPORT"
    }]
  }
}
mock_data "aws_eks_addon_version" {
  defaults = { version = "v0.8.0-eksbuild.1" }
}
# No load balancer yet (the first release makes it); a test overrides this.
mock_data "aws_lbs" {
  defaults = { arns = [] }
}

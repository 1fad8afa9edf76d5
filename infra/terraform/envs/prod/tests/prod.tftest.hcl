# What prod's values in main.tf amount to (the shared assertions are modules/platform/tests;
# the module's validations already refuse less than this for prod).
mock_provider "aws" {
  source = "../../modules/platform/tests/mocks"
}

run "prod" {
  command = plan

  assert {
    condition     = output.cluster_name == "netflix-clone-prod" && output.namespace == "netflix-clone-prod"
    error_message = "the prod root must build netflix-clone-prod"
  }
  assert {
    condition     = length(output.topology.azs) == 3 && output.topology.nat_gateways == 3 && output.topology.auto_mode.compute_enabled
    error_message = "prod spans three AZs with a NAT gateway in each, and Auto Mode scales its nodes"
  }
  assert {
    condition     = output.topology.db_multi_az && output.topology.db_deletion_protection && output.topology.db_final_snapshot
    error_message = "prod's database must be Multi-AZ, protected from deletion and keep a final snapshot"
  }
  assert {
    condition     = output.topology.cache_automatic_failover
    error_message = "prod's cache must fail over to a replica"
  }
  assert {
    condition     = output.topology.interface_endpoints == 5 && output.topology.elastic_ips == 3
    error_message = "prod keeps prod's network: interface endpoints for ECR, STS, Secrets Manager and logs, and an Elastic IP per NAT gateway (docs/infrastructure.md counts them against the quota)"
  }
}

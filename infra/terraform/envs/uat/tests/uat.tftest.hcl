# What uat's values in main.tf amount to (the shared assertions are modules/platform/tests).
mock_provider "aws" {
  source = "../../modules/platform/tests/mocks"
}

run "uat" {
  command = plan

  assert {
    condition     = output.cluster_name == "netflix-clone-uat" && output.namespace == "netflix-clone-uat"
    error_message = "the uat root must build netflix-clone-uat"
  }
  assert {
    condition     = length(output.topology.azs) == 3 && output.topology.nat_gateways == 3 && output.topology.cache_automatic_failover
    error_message = "uat rehearses prod's topology: a NAT gateway per AZ and a cache with failover"
  }
  assert {
    condition     = output.topology.db_deletion_protection && output.topology.db_final_snapshot
    error_message = "uat's database must be protected from deletion and keep a final snapshot"
  }
  assert {
    condition     = output.topology.interface_endpoints == 5 && output.topology.elastic_ips == 3
    error_message = "uat keeps prod's network: interface endpoints for ECR, STS, Secrets Manager and logs, and an Elastic IP per NAT gateway (docs/infrastructure.md counts them against the quota)"
  }
}

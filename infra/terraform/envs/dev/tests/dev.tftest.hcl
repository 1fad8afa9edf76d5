# What dev's values in main.tf amount to (the shared assertions are modules/platform/tests).
mock_provider "aws" {
  source = "../../modules/platform/tests/mocks"
}

run "dev" {
  command = plan

  assert {
    condition     = output.cluster_name == "netflix-clone-dev" && output.namespace == "netflix-clone-dev"
    error_message = "the dev root must build netflix-clone-dev"
  }
  assert {
    condition     = output.topology.nat_gateways == 1
    error_message = "dev shares one NAT gateway"
  }
  assert {
    condition     = !output.topology.db_multi_az && !output.topology.db_deletion_protection && !output.topology.cache_automatic_failover
    error_message = "dev is throw-away: single-AZ database without deletion protection, cache without replica"
  }
  assert {
    condition     = output.topology.interface_endpoints == 0 && output.topology.elastic_ips == 1 && output.topology.log_retention_days <= 30
    error_message = "dev runs the cheaper profile: no interface endpoints, one NAT gateway (one Elastic IP), short log retention"
  }
}

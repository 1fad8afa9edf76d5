# uat: production's shape at a smaller size, so releases are rehearsed on the same topology.
environment = "uat"
vpc_cidr    = "10.20.0.0/16"

single_nat_gateway = false

node_instance_types = ["t3.large"]
node_min_size       = 2
node_desired_size   = 2
node_max_size       = 4

db_instance_class        = "db.t4g.small"
db_multi_az              = false
db_deletion_protection   = true
db_backup_retention_days = 7
db_skip_final_snapshot   = false

cache_node_type = "cache.t4g.small"
cache_nodes     = 2

secret_recovery_window_days = 30

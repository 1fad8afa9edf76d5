# prod: every tier spread over three AZs; variables.tf refuses anything less.
environment = "prod"
vpc_cidr    = "10.30.0.0/16"

single_nat_gateway = false

node_instance_types = ["m6i.large"]
node_min_size       = 3
node_desired_size   = 3
node_max_size       = 9

db_instance_class        = "db.m6g.large"
db_allocated_storage_gib = 50
db_multi_az              = true
db_deletion_protection   = true
db_backup_retention_days = 14
db_skip_final_snapshot   = false

cache_node_type = "cache.m6g.large"
cache_nodes     = 3

secret_recovery_window_days = 30

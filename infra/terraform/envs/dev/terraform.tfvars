# dev: smallest footprint that still exercises every piece (one NAT, single-AZ database).
environment = "dev"
vpc_cidr    = "10.10.0.0/16"

single_nat_gateway = true

node_instance_types = ["t3.medium"]
node_min_size       = 2
node_desired_size   = 2
node_max_size       = 3

db_instance_class        = "db.t4g.micro"
db_multi_az              = false
db_deletion_protection   = false
db_backup_retention_days = 1
db_skip_final_snapshot   = true

cache_node_type = "cache.t4g.micro"
cache_nodes     = 1

secret_recovery_window_days = 7

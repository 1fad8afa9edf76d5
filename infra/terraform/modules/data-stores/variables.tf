variable "name" {
  description = "Name prefix and identifier of the database and cache, e.g. netflix-clone-dev."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,38}[a-z0-9]$", var.name))
    error_message = "name must be 4-40 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "vpc_id" {
  description = "VPC of the data stores."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets (at least two AZs) for the DB and cache subnet groups."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "at least two private subnets are required."
  }
}

variable "client_security_group_id" {
  description = "The only security group allowed to connect (the EKS cluster security group, shared by nodes and pods)."
  type        = string
}

# --- PostgreSQL

variable "db_engine_version" {
  description = "PostgreSQL major version. A major only: RDS applies minor upgrades itself (auto_minor_version_upgrade), and a pinned minor would turn the next plan into a downgrade."
  type        = string
  default     = "16"

  validation {
    condition     = var.db_engine_version == "16"
    error_message = "db_engine_version must be the major version \"16\" (no minor: RDS upgrades minors itself)."
  }
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
  default     = "db.t4g.medium"

  validation {
    condition     = startswith(var.db_instance_class, "db.")
    error_message = "db_instance_class must be an RDS instance class such as db.t4g.medium."
  }
}

variable "db_allocated_storage_gib" {
  description = "Initial storage, in GiB."
  type        = number
  default     = 20

  validation {
    condition     = var.db_allocated_storage_gib >= 20
    error_message = "db_allocated_storage_gib must be at least 20."
  }
}

variable "db_max_allocated_storage_gib" {
  description = "Upper bound for storage autoscaling, in GiB."
  type        = number
  default     = 100

  validation {
    condition     = var.db_max_allocated_storage_gib >= var.db_allocated_storage_gib
    error_message = "db_max_allocated_storage_gib must be at least db_allocated_storage_gib."
  }
}

variable "db_name" {
  description = "Name of the application database."
  type        = string
  default     = "netflix_clone"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_name))
    error_message = "db_name must be a lowercase PostgreSQL identifier."
  }
}

variable "db_master_username" {
  description = "Master user name (its password is generated and kept in Secrets Manager by RDS)."
  type        = string
  default     = "netflix_clone"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,62}$", var.db_master_username)) && var.db_master_username != "postgres"
    error_message = "db_master_username must be a lowercase identifier other than the well-known postgres."
  }
}

variable "master_user_secret_kms_key_arn" {
  description = "KMS key RDS encrypts its managed master-user secret with (the app's secrets key, so one key policy covers all the app reads)."
  type        = string
}

variable "multi_az" {
  description = "Run a synchronous standby in a second AZ (true in prod)."
  type        = bool
  default     = true
}

variable "deletion_protection" {
  description = "Refuse to delete the database (true in prod; turned off deliberately before a teardown)."
  type        = bool
  default     = true
}

variable "backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window)."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "skip_final_snapshot" {
  description = "Delete without a final snapshot (only for throw-away environments)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the PostgreSQL and Valkey log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}

# --- Valkey (Redis-compatible)

variable "cache_engine" {
  description = "ElastiCache engine: valkey (cheaper, Redis-compatible) or redis."
  type        = string
  default     = "valkey"

  validation {
    condition     = contains(["valkey", "redis"], var.cache_engine)
    error_message = "cache_engine must be valkey or redis."
  }
}

variable "cache_engine_version" {
  description = "Engine version of the cache."
  type        = string
  default     = "8.0"
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"

  validation {
    condition     = startswith(var.cache_node_type, "cache.")
    error_message = "cache_node_type must be an ElastiCache node type such as cache.t4g.small."
  }
}

variable "cache_nodes" {
  description = "Number of cache nodes (primary plus replicas); more than one turns on automatic failover across AZs."
  type        = number
  default     = 2

  validation {
    condition     = var.cache_nodes >= 1 && var.cache_nodes <= 6
    error_message = "cache_nodes must be between 1 and 6."
  }
}

variable "cache_snapshot_retention_days" {
  description = "Days of cache snapshots (the cache is rebuildable, so a short window is enough)."
  type        = number
  default     = 1

  validation {
    condition     = var.cache_snapshot_retention_days >= 0 && var.cache_snapshot_retention_days <= 35
    error_message = "cache_snapshot_retention_days must be between 0 and 35."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary every IAM role of this module carries (the deploy role may only create bounded roles)."
  type        = string
}

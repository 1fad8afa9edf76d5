# The environment's choices. prod's guard rails are validations here, so no caller can turn
# them off: Multi-AZ database with deletion protection and a final snapshot, a NAT
# gateway per AZ and a cache replica.

variable "environment" {
  description = "Deployment environment: dev, uat or prod."
  type        = string

  validation {
    condition     = contains(["dev", "uat", "prod"], var.environment)
    error_message = "environment must be dev, uat or prod."
  }
}

variable "region" {
  description = "AWS region of the environment; must be the region of the aws provider passed in."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the environment's VPC (distinct per environment so they can be peered later)."
  type        = string
}

variable "single_nat_gateway" {
  description = "One shared NAT gateway instead of one per AZ (cheaper; refused for prod)."
  type        = bool
  default     = false

  validation {
    condition     = !(var.environment == "prod" && var.single_nat_gateway)
    error_message = "prod needs a NAT gateway per AZ."
  }
}

variable "interface_endpoints" {
  description = "AWS services reached through interface VPC endpoints (3 AZs each, about $8 a month per service and AZ). Empty: AWS API traffic goes through the NAT gateway(s) instead, the cheaper choice for a quiet environment."
  type        = set(string)
  default     = ["ecr.api", "ecr.dkr", "sts", "secretsmanager", "logs"]
}

variable "verify_version_support" {
  description = "Check at plan time that the cluster's Kubernetes version is in EKS standard support (eks:DescribeClusterVersions). Off only where that API is missing (the rehearsal's AWS emulator)."
  type        = bool
  default     = true
}

variable "metrics_server_version" {
  description = "metrics-server add-on version; null follows EKS's default for the cluster's Kubernetes version."
  type        = string
  default     = null
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API publicly (restricted to public_access_cidrs). Off: deploys run from inside the VPC."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach a public API endpoint; never 0.0.0.0/0."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.public_access_cidrs, "0.0.0.0/0")
    error_message = "public_access_cidrs must not contain 0.0.0.0/0."
  }
}

variable "admin_principal_arns" {
  description = "IAM principals with cluster-admin access (platform team, break-glass role)."
  type        = list(string)
  default     = []
}

variable "db_instance_class" {
  description = "RDS instance class."
  type        = string
}

variable "db_allocated_storage_gib" {
  description = "Initial database storage in GiB."
  type        = number
  default     = 20
}

variable "db_multi_az" {
  description = "Run the database with a standby in a second AZ (required for prod)."
  type        = bool

  validation {
    condition     = var.environment != "prod" || var.db_multi_az
    error_message = "prod's database must be Multi-AZ."
  }
}

variable "db_deletion_protection" {
  description = "Refuse to delete the database (required for prod)."
  type        = bool
  default     = true

  validation {
    condition     = var.environment != "prod" || var.db_deletion_protection
    error_message = "prod's database must have deletion protection."
  }
}

variable "db_backup_retention_days" {
  description = "Days of automated database backups."
  type        = number
  default     = 7
}

variable "db_skip_final_snapshot" {
  description = "Delete the database without a final snapshot (throw-away environments only; refused for prod)."
  type        = bool
  default     = false

  validation {
    condition     = var.environment != "prod" || !var.db_skip_final_snapshot
    error_message = "prod's database must keep a final snapshot."
  }
}

variable "cache_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "cache_nodes" {
  description = "Cache nodes (primary plus replicas); more than one enables automatic failover (at least 2 for prod)."
  type        = number

  validation {
    condition     = var.environment != "prod" || var.cache_nodes >= 2
    error_message = "prod's cache needs a replica for automatic failover."
  }
}

variable "log_retention_days" {
  description = "Retention of flow, control-plane, runner and database logs, in days (at least 365 in prod; dev's cheaper profile keeps 14)."
  type        = number
  default     = 365

  validation {
    condition     = var.environment != "prod" || var.log_retention_days >= 365
    error_message = "prod keeps its logs at least a year."
  }
}

variable "secret_recovery_window_days" {
  description = "Days a deleted Secrets Manager secret stays recoverable (0 only for throw-away environments)."
  type        = number
  default     = 30
}

variable "public_host" {
  description = "Host name clients reach the API at (the Ingress host and the certificate's name), e.g. api.dev.example.com."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.public_host))
    error_message = "public_host must be a lowercase DNS name."
  }
}

variable "route53_zone_id" {
  description = "Route 53 public hosted zone of public_host. Given: the certificate is validated through DNS records Terraform writes there, and the apply waits for it. null: the validation records are an output to create wherever the domain's DNS is."
  type        = string
  default     = null
}

variable "project" {
  description = "Project name; the role is <project>-app-<environment>."
  type        = string
  default     = "netflix-clone"
}

variable "environment" {
  description = "Deployment environment: dev, uat or prod."
  type        = string

  validation {
    condition     = contains(["dev", "uat", "prod"], var.environment)
    error_message = "environment must be dev, uat or prod."
  }
}

variable "cluster_name" {
  description = "EKS cluster whose Pod Identity association gives the role to the app's service account."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the app (netflix-clone-<environment>)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a valid Kubernetes namespace name."
  }
}

variable "service_account" {
  description = "Kubernetes service account of the app."
  type        = string
  default     = "netflix-clone"
}

variable "secret_arns" {
  description = "The exact Secrets Manager ARNs the app may read (the TMDB key and the token-signing key); nothing else is readable."
  type        = list(string)

  validation {
    condition     = length(var.secret_arns) > 0 && alltrue([for a in var.secret_arns : !strcontains(a, "*")])
    error_message = "secret_arns must list at least one ARN and contain no wildcards."
  }
}

variable "migration_secret_arns" {
  description = "The exact Secrets Manager ARNs the migration Job may read (the token-signing key, which the app factory reads at start-up)."
  type        = list(string)

  validation {
    condition     = length(var.migration_secret_arns) > 0 && alltrue([for a in var.migration_secret_arns : !strcontains(a, "*")])
    error_message = "migration_secret_arns must list at least one ARN and contain no wildcards."
  }
}

variable "database_master_secret_arn" {
  description = "The RDS-managed master secret; only the db-admin Job's role may read it."
  type        = string

  validation {
    condition     = !strcontains(var.database_master_secret_arn, "*")
    error_message = "database_master_secret_arn must be one exact ARN."
  }
}

variable "database_connect_arns" {
  description = "rds-db:connect resources of the two database users: app (the web pods) and owner (the migration Job)."
  type = object({
    app   = string
    owner = string
  })

  validation {
    condition     = alltrue([for a in values(var.database_connect_arns) : can(regex("^arn:aws[a-z-]*:rds-db:[a-z0-9-]+:[0-9]{12}:dbuser:[^*/]+/[a-z_][a-z0-9_]*$", a))])
    error_message = "database_connect_arns must be exact rds-db dbuser ARNs (no wildcards)."
  }
}

variable "kms_key_arns" {
  description = "KMS keys encrypting those secrets; the role may decrypt with them only through Secrets Manager."
  type        = list(string)

  validation {
    condition     = length(var.kms_key_arns) > 0 && alltrue([for a in var.kms_key_arns : !strcontains(a, "*")])
    error_message = "kms_key_arns must list at least one ARN and contain no wildcards."
  }
}

variable "cache_connect_arns" {
  description = "ElastiCache replication group and user ARNs the app may authenticate to with IAM (elasticache:Connect)."
  type        = list(string)
  default     = []
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the app role (the deploy role may only create bounded roles)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

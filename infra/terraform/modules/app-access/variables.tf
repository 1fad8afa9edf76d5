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
  description = "The exact Secrets Manager ARNs the app may read (its own app secrets and the RDS master secret); nothing else is readable."
  type        = list(string)

  validation {
    condition     = length(var.secret_arns) > 0 && alltrue([for a in var.secret_arns : !strcontains(a, "*")])
    error_message = "secret_arns must list at least one ARN and contain no wildcards."
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

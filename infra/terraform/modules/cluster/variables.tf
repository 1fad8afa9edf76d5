variable "cluster_name" {
  description = "EKS cluster name, e.g. netflix-clone-dev; also the name prefix of the cluster's IAM roles and KMS alias."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,38}$", var.cluster_name))
    error_message = "cluster_name must be 3-39 lowercase letters, digits or hyphens (IAM role names are derived from it)."
  }
}

variable "environment" {
  description = "Deployment environment: dev, uat or prod."
  type        = string

  validation {
    condition     = contains(["dev", "uat", "prod"], var.environment)
    error_message = "environment must be dev, uat or prod."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version of the control plane (Auto Mode nodes follow it). Must be in EKS standard support (modules/platform checks it at plan time, tests/infra/test_versions.py against a dated calendar)."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.35."
  }
}

variable "service_ipv4_cidr" {
  description = "CIDR Kubernetes Services get their addresses from (must not overlap the VPC); the cluster DNS is its 10th address."
  type        = string
  default     = "172.20.0.0/16"

  validation {
    condition     = can(cidrhost(var.service_ipv4_cidr, 10)) && tonumber(split("/", var.service_ipv4_cidr)[1]) >= 12 && tonumber(split("/", var.service_ipv4_cidr)[1]) <= 24
    error_message = "service_ipv4_cidr must be an IPv4 CIDR between /12 and /24 (EKS's limits)."
  }
}

variable "vpc_id" {
  description = "VPC the cluster lives in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the control-plane ENIs and the Auto Mode nodes (never public ones)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "EKS needs subnets in at least two availability zones."
  }
}

variable "endpoint_public_access" {
  description = "Expose the Kubernetes API endpoint publicly (restricted to public_access_cidrs). Off: the API is reachable only from inside the VPC."
  type        = bool
  default     = false
}

variable "public_access_cidrs" {
  description = "CIDRs allowed to reach the public API endpoint when endpoint_public_access is true. The whole internet is refused."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.public_access_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0" && c != "::/0"])
    error_message = "public_access_cidrs must be valid CIDRs and must not contain 0.0.0.0/0 or ::/0."
  }
}

variable "log_retention_days" {
  description = "Retention of the control-plane log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention period CloudWatch Logs accepts."
  }
}

variable "admin_principal_arns" {
  description = "IAM role/user ARNs given cluster-admin through EKS access entries (break-glass and platform team)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.admin_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", a))])
    error_message = "admin_principal_arns must be IAM role or user ARNs."
  }
}

variable "deploy_role_arn" {
  description = "ARN of the CI deploy role (netflix-clone-deploy-<env>); it gets admin rights inside the app namespace only."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/", var.deploy_role_arn))
    error_message = "deploy_role_arn must be an IAM role ARN."
  }
}

variable "app_namespace" {
  description = "Kubernetes namespace the deploy role may manage."
  type        = string
}

variable "deploy_kubernetes_group" {
  description = "Kubernetes group the deploy role is mapped to, for the one cluster-scoped grant it needs (its own Namespace object)."
  type        = string
  default     = "netflix-clone-deployers"

  validation {
    condition     = !startswith(var.deploy_kubernetes_group, "system:")
    error_message = "deploy_kubernetes_group must not be a system: group."
  }
}

variable "metrics_server_version" {
  description = "Version of the metrics-server EKS add-on (the HPA's source of CPU and memory figures). null: the version EKS marks as default for kubernetes_version, so the add-on follows the cluster. Set one to hold it (`aws eks describe-addon-versions --kubernetes-version <version> --addon-name metrics-server` lists them)."
  type        = string
  default     = null

  validation {
    condition     = var.metrics_server_version == null || can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", var.metrics_server_version))
    error_message = "metrics_server_version must be null or an exact EKS add-on version such as v0.8.0-eksbuild.1."
  }
}

variable "api_client_security_group_ids" {
  description = "Security groups (by a fixed name) allowed to reach the private Kubernetes API on 443: the environment's CI runner."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary every IAM role of this module carries (the deploy role may only create bounded roles)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "cluster_name" {
  description = "EKS cluster name, e.g. netflix-clone-dev; also the name prefix of the cluster's IAM roles, KMS alias and node group."
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
  description = "Kubernetes minor version of the control plane and node group."
  type        = string
  default     = "1.33"

  validation {
    condition     = can(regex("^1\\.[0-9]{2}$", var.kubernetes_version))
    error_message = "kubernetes_version must look like 1.33."
  }
}

variable "vpc_id" {
  description = "VPC the cluster lives in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the control-plane ENIs and the node group (never public ones)."
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

variable "node_instance_types" {
  description = "Instance types of the managed node group (several allow Spot/capacity flexibility)."
  type        = list(string)
  default     = ["t3.large"]

  validation {
    condition     = length(var.node_instance_types) > 0
    error_message = "node_instance_types must not be empty."
  }
}

variable "node_capacity_type" {
  description = "ON_DEMAND or SPOT."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "SPOT"], var.node_capacity_type)
    error_message = "node_capacity_type must be ON_DEMAND or SPOT."
  }
}

variable "node_min_size" {
  description = "Minimum number of nodes."
  type        = number
  default     = 2

  validation {
    condition     = var.node_min_size >= 1
    error_message = "node_min_size must be at least 1."
  }
}

variable "node_desired_size" {
  description = "Initial number of nodes (later changes by an autoscaler are ignored by Terraform)."
  type        = number
  default     = 2
}

variable "node_max_size" {
  description = "Maximum number of nodes."
  type        = number
  default     = 4

  validation {
    condition     = var.node_max_size >= var.node_min_size && var.node_desired_size >= var.node_min_size && var.node_desired_size <= var.node_max_size
    error_message = "node sizes must satisfy min <= desired <= max."
  }
}

variable "node_disk_size_gib" {
  description = "Root volume size of each node, in GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_size_gib >= 20 && var.node_disk_size_gib <= 1000
    error_message = "node_disk_size_gib must be between 20 and 1000."
  }
}

variable "node_ami_type" {
  description = "EKS-optimised AMI family of the nodes."
  type        = string
  default     = "AL2023_x86_64_STANDARD"
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

variable "addon_versions" {
  description = "Pinned versions of the managed add-ons. Check newer ones with `aws eks describe-addon-versions --kubernetes-version 1.33 --addon-name <name>`."
  type = object({
    vpc_cni                = string
    coredns                = string
    kube_proxy             = string
    eks_pod_identity_agent = string
    metrics_server         = string
  })
  default = {
    vpc_cni                = "v1.19.5-eksbuild.3"
    coredns                = "v1.12.1-eksbuild.2"
    kube_proxy             = "v1.33.0-eksbuild.2"
    eks_pod_identity_agent = "v1.3.7-eksbuild.2"
    metrics_server         = "v0.7.2-eksbuild.4"
  }

  validation {
    condition     = alltrue([for v in values(var.addon_versions) : can(regex("^v[0-9]+\\.[0-9]+\\.[0-9]+-eksbuild\\.[0-9]+$", v))])
    error_message = "addon versions must be exact EKS add-on versions such as v1.19.5-eksbuild.3."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

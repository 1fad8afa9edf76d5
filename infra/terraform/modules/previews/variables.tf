# What a previews installation is made of. Only modules/platform's environment (dev) calls it;
# docs/previews.md explains the choices.

variable "name" {
  description = "Name prefix of the environment the previews live in (<project>-<environment>, e.g. netflix-clone-dev); every resource is <name>-previews or <name>-preview-*."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,22}$", var.name))
    error_message = "name must be 3-23 lowercase letters, digits or hyphens (load balancer and target group names are at most 32 characters)."
  }
}

variable "environment" {
  description = "Environment whose account and VPC hold the previews (dev): secrets live under <project>/<environment>/previews/."
  type        = string

  validation {
    condition     = contains(["dev", "uat", "prod"], var.environment)
    error_message = "environment must be dev, uat or prod."
  }
}

variable "project" {
  description = "Project name: first segment of the previews' secret names."
  type        = string
  default     = "netflix-clone"
}

variable "vpc_id" {
  description = "VPC of the environment."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 CIDR of the VPC: the tasks reach the interface VPC endpoints (ECR, Logs, Secrets Manager) in it, and nothing else."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets the preview tasks run in (no public IP)."
  type        = list(string)

  validation {
    condition     = length(var.private_subnet_ids) >= 2
    error_message = "give at least two private subnets (two AZs)."
  }
}

variable "public_subnet_ids" {
  description = "Public subnets of the previews' load balancer (an ALB needs two AZs)."
  type        = list(string)

  validation {
    condition     = length(var.public_subnet_ids) >= 2
    error_message = "give at least two public subnets (two AZs)."
  }
}

variable "domain" {
  description = "DNS domain of the previews: pull request N is served at https://pr-N.<domain> (a wildcard certificate covers them)."
  type        = string

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,}$", var.domain))
    error_message = "domain must be a lowercase DNS name."
  }
}

variable "route53_zone_id" {
  description = "Route 53 public hosted zone holding domain. Given: Terraform writes the certificate's validation record and *.<domain> -> load balancer. null: create both where the domain's DNS lives (outputs certificate_validation_records and dns_record); the first apply waits until the certificate is issued."
  type        = string
  default     = null
}

variable "ingress_cidrs" {
  description = "IPv4 CIDRs allowed to reach the previews on 443 (reviewers: office or VPN egress; 0.0.0.0/0 for anyone)."
  type        = list(string)

  validation {
    condition     = length(var.ingress_cidrs) > 0 && alltrue([for c in var.ingress_cidrs : can(cidrnetmask(c))])
    error_message = "ingress_cidrs must be a non-empty list of IPv4 CIDRs."
  }
}

variable "max_previews" {
  description = "Previews running at once; deploying one more stops the least recently deployed (its pull request is told)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_previews >= 1 && var.max_previews <= 50 && floor(var.max_previews) == var.max_previews
    error_message = "max_previews must be a whole number from 1 to 50 (one listener rule and target group each)."
  }
}

variable "idle_days" {
  description = "Days without a deploy after which the daily cleanup stops a preview."
  type        = number
  default     = 3

  validation {
    condition     = var.idle_days >= 1 && var.idle_days <= 30 && floor(var.idle_days) == var.idle_days
    error_message = "idle_days must be a whole number from 1 to 30."
  }
}

variable "image_expiry_days" {
  description = "Days after which preview images (tags pr-*) expire from the previews' ECR repository."
  type        = number
  default     = 14

  validation {
    condition     = var.image_expiry_days >= 1
    error_message = "image_expiry_days must be at least 1."
  }
}

variable "use_spot" {
  description = "Run previews on Fargate Spot (about 70 % cheaper; an interrupted task is replaced, the preview's data starts over). false: on-demand Fargate."
  type        = bool
  default     = true
}

variable "log_retention_days" {
  description = "Retention of the previews' container logs, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the previews' load balancer (turn off before a destroy)."
  type        = bool
  default     = true
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary every role of this module carries (netflix-clone-boundary-<environment>)."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

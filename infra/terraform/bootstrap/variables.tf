variable "project" {
  description = "Project name; prefix of the deploy roles, the state keys and the ECR repository."
  type        = string
  default     = "netflix-clone"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,30}$", var.project))
    error_message = "project must be 3-31 lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "AWS region of the state bucket, the ECR repository and (by default) the environments."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "github_repository" {
  description = "GitHub repository allowed to assume the deploy roles, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository must be owner/name, e.g. my-org/netflix-clone (no wildcards)."
  }
}

variable "environments" {
  description = "Environments that get a deploy role; each must exist as a GitHub Environment of the same name."
  type        = set(string)
  default     = ["dev", "uat", "prod"]

  validation {
    condition     = length(var.environments) > 0 && alltrue([for e in var.environments : contains(["dev", "uat", "prod"], e)])
    error_message = "environments must be a non-empty subset of dev, uat, prod."
  }
}

variable "image_push_environments" {
  description = "Environments whose deploy role may push images. Only dev builds; uat and prod promote the same digest."
  type        = set(string)
  default     = ["dev"]
}

variable "state_bucket_name" {
  description = "Name of the Terraform state bucket; null derives <project>-tfstate-<account id>-<region>, which is globally unique."
  type        = string
  default     = null

  validation {
    condition     = var.state_bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "state_bucket_name must be a valid S3 bucket name."
  }
}

variable "state_noncurrent_version_days" {
  description = "Days old state versions are kept (they are the way back from a bad apply)."
  type        = number
  default     = 90

  validation {
    condition     = var.state_noncurrent_version_days >= 30
    error_message = "state_noncurrent_version_days must be at least 30."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; false looks up an existing one (an account has at most one per URL)."
  type        = bool
  default     = true
}

variable "ecr_untagged_expiry_days" {
  description = "Days after which untagged images (build leftovers) are expired."
  type        = number
  default     = 14

  validation {
    condition     = var.ecr_untagged_expiry_days >= 1
    error_message = "ecr_untagged_expiry_days must be at least 1."
  }
}

variable "ecr_tagged_images_kept" {
  description = "Tagged images kept (newest first); older ones expire. Each dev build is one, so this is how far back a rollback can go."
  type        = number
  default     = 300

  validation {
    condition     = var.ecr_tagged_images_kept >= 50
    error_message = "ecr_tagged_images_kept must be at least 50: prod may still run an old image."
  }
}

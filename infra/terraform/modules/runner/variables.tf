variable "name" {
  description = "Environment name prefix, e.g. netflix-clone-dev; the project is <name>-runner."
  type        = string
}

variable "environment" {
  description = "Deployment environment: dev, uat or prod."
  type        = string

  validation {
    condition     = contains(["dev", "uat", "prod"], var.environment)
    error_message = "environment must be dev, uat or prod."
  }
}

variable "vpc_id" {
  description = "VPC the runner runs in (the environment's own)."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of that VPC (DNS egress to its resolver)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets the runner's ENIs go into (egress through NAT)."
  type        = list(string)
}

variable "github_repository" {
  description = "owner/name of the repository whose workflow jobs this runner takes (validated where it is entered: the bootstrap root publishes it)."
  type        = string
}

variable "github_connection_arn" {
  description = "ARN of the AWS CodeConnections connection to GitHub (created by bootstrap, authorised once by hand)."
  type        = string
}

variable "workflow_name_pattern" {
  description = "Regular expression the queued job's workflow name must match."
  type        = string
  default     = "^deploy$"
}

variable "compute_type" {
  description = "CodeBuild compute type of a runner build."
  type        = string
  default     = "BUILD_GENERAL1_SMALL"
}

variable "image" {
  description = "CodeBuild image of the runner (kubectl and kustomize are installed by the job, pinned with checksums)."
  type        = string
  default     = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
}

variable "build_timeout_minutes" {
  description = "Longest a job may run on the runner, in minutes."
  type        = number
  default     = 60
}

variable "log_retention_days" {
  description = "Retention of the runner's build logs, in days."
  type        = number
  default     = 365
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary of the runner's service role."
  type        = string
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

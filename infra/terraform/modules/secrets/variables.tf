variable "project" {
  description = "Project name, first part of every secret name."
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

variable "secret_names" {
  description = "Short names of the secrets to create under <project>/<environment>/; their values are set out of band, never by Terraform."
  type        = set(string)
  default     = ["tmdb-api-key", "secret-key"]

  validation {
    condition     = alltrue([for n in var.secret_names : can(regex("^[a-z0-9][a-z0-9-]{0,62}$", n))])
    error_message = "secret_names must be lowercase words joined by hyphens."
  }
}

variable "recovery_window_days" {
  description = "Days a deleted secret stays recoverable (0 deletes at once; AWS allows 7-30 otherwise)."
  type        = number
  default     = 30

  validation {
    condition     = var.recovery_window_days == 0 || (var.recovery_window_days >= 7 && var.recovery_window_days <= 30)
    error_message = "recovery_window_days must be 0 or between 7 and 30."
  }
}

variable "tags" {
  description = "Tags added to every resource (on top of the provider's default_tags)."
  type        = map(string)
  default     = {}
}

variable "name" {
  description = "Name of the key: its alias is alias/<name> and its Name tag <name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9/_-]+$", var.name)) && !startswith(var.name, "aws/")
    error_message = "name must be a valid KMS alias name (letters, digits, / _ -), not under aws/."
  }
}

variable "description" {
  description = "What the key encrypts."
  type        = string
}

variable "log_group_names" {
  description = "CloudWatch Logs log groups the key may encrypt (the logs service gets no other use)."
  type        = list(string)

  validation {
    condition     = length(var.log_group_names) > 0
    error_message = "log_group_names must name at least one log group."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}

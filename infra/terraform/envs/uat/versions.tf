terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }

  # Partial configuration: bucket, key and locking come from backend.hcl
  # (terraform init -backend-config=backend.hcl).
  backend "s3" {}
}

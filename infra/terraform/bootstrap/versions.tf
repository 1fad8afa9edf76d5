terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.100, < 7"
    }
  }

  # No backend block on purpose: the first apply creates the state bucket, so it runs with local
  # state, then the state is moved into the bucket (docs/infrastructure.md, "Apply order").
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      project     = var.project
      environment = "shared"
      managed-by  = "terraform"
    }
  }
}

provider "aws" {
  region = var.region

  # The deploy roles' EC2 and KMS rights are scoped by the environment tag, so every resource
  # must carry it.
  default_tags {
    tags = {
      project     = local.project
      environment = var.environment
      managed-by  = "terraform"
    }
  }
}

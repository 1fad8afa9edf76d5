# The public host's name. The ingress's load balancer is made by EKS Auto Mode during the first
# release, after this environment's first apply, so it is found here by the tag Auto Mode puts on
# everything it creates for the cluster (eks:eks-cluster-name): absent on the first apply, found
# from the next one on. With a Route 53 zone, Terraform then owns the alias record of
# public_host; without one, load_balancer_dns_name is what the domain's CNAME must point at.
# The release never waits for either: its smoke test reaches the load balancer by its own name
# with public_host as TLS server name and Host (.github/scripts/smoke-test.sh).

data "aws_lbs" "cluster" {
  tags = { "eks:eks-cluster-name" = local.cluster_name }
}

data "aws_lb" "cluster" {
  for_each = toset(data.aws_lbs.cluster.arns)

  arn = each.value
}

locals {
  # The app's Ingress is the cluster's only internet-facing ALB (deploy/k8s/base/ingress.yaml).
  public_albs = [for lb in data.aws_lb.cluster : lb if lb.load_balancer_type == "application" && !lb.internal]
}

resource "aws_route53_record" "public" {
  count = var.route53_zone_id != null && length(local.public_albs) > 0 ? 1 : 0

  zone_id = var.route53_zone_id
  name    = var.public_host
  type    = "A"

  alias {
    name                   = local.public_albs[0].dns_name
    zone_id                = local.public_albs[0].zone_id
    evaluate_target_health = true
  }

  lifecycle {
    precondition {
      condition     = length(local.public_albs) == 1
      error_message = "${length(local.public_albs)} internet-facing ALBs carry eks:eks-cluster-name=${local.cluster_name}; the alias of ${var.public_host} needs exactly one (the app's Ingress)."
    }
  }
}

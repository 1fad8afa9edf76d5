# The Ingress's TLS certificate. With a Route 53 zone, Terraform writes the DNS validation
# records and waits until ACM has issued the certificate; without one, the records are the
# output certificate_validation_records, to be created where the domain's DNS lives (the
# certificate is issued once they resolve; the load balancer refuses it until then).

resource "aws_acm_certificate" "public" {
  domain_name       = var.public_host
  validation_method = "DNS"

  options {
    certificate_transparency_logging_preference = "ENABLED"
  }

  lifecycle {
    create_before_destroy = true
  }
}

locals {
  certificate_validation_records = {
    for o in aws_acm_certificate.public.domain_validation_options : o.domain_name => {
      name  = o.resource_record_name
      type  = o.resource_record_type
      value = o.resource_record_value
    }
  }
}

resource "aws_route53_record" "certificate_validation" {
  for_each = var.route53_zone_id == null ? {} : { for o in aws_acm_certificate.public.domain_validation_options : o.domain_name => o }

  zone_id         = var.route53_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "public" {
  count = var.route53_zone_id == null ? 0 : 1

  certificate_arn         = aws_acm_certificate.public.arn
  validation_record_fqdns = [for r in aws_route53_record.certificate_validation : r.fqdn]
}

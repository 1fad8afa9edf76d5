# The previews module against a mocked AWS provider (offline: nothing is created). What the
# workflow does with these pieces is tested in tests/infra/test_previews.py.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "111122223333" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_ec2_managed_prefix_list" {
    defaults = { id = "pl-6da54004" }
  }
  # The provider still validates arguments, so ARNs that feed other resources must look real.
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/ecs/netflix-clone-dev-previews" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::111122223333:role/mock" }
  }
  mock_resource "aws_ecr_repository" {
    defaults = {
      arn            = "arn:aws:ecr:eu-west-1:111122223333:repository/netflix-clone-dev-previews"
      repository_url = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/netflix-clone-dev-previews"
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/netflix-clone-dev-previews/0123456789abcdef"
      dns_name = "netflix-clone-dev-previews-1.eu-west-1.elb.amazonaws.com"
      zone_id  = "Z32O12XQLNTSW2"
    }
  }
  mock_resource "aws_lb_listener" {
    defaults = { arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/app/netflix-clone-dev-previews/0123456789abcdef/fedcba9876543210" }
  }
  mock_resource "aws_acm_certificate" {
    defaults = {
      arn = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"
      domain_validation_options = [{
        domain_name           = "*.previews.example.com"
        resource_record_name  = "_abc.previews.example.com."
        resource_record_type  = "CNAME"
        resource_record_value = "_def.acm-validations.aws."
      }]
    }
  }
}

variables {
  name                     = "netflix-clone-dev"
  environment              = "dev"
  vpc_id                   = "vpc-0123456789abcdef0"
  vpc_cidr                 = "10.10.0.0/16"
  private_subnet_ids       = ["subnet-a", "subnet-b", "subnet-c"]
  public_subnet_ids        = ["subnet-d", "subnet-e", "subnet-f"]
  domain                   = "previews.example.com"
  ingress_cidrs            = ["198.51.100.0/24"]
  permissions_boundary_arn = "arn:aws:iam::111122223333:policy/netflix-clone-boundary-dev"
}

run "shared_pieces" {
  command = apply

  assert {
    condition     = aws_ecs_cluster.this.name == "netflix-clone-dev-previews" && one([for s in aws_ecs_cluster.this.setting : s.value if s.name == "containerInsights"]) == "enabled"
    error_message = "the cluster is netflix-clone-dev-previews with Container Insights"
  }
  assert {
    condition     = [for s in aws_ecs_cluster_capacity_providers.this.default_capacity_provider_strategy : s.capacity_provider] == ["FARGATE_SPOT"]
    error_message = "previews run on Fargate Spot by default"
  }
  assert {
    condition     = aws_cloudwatch_log_group.tasks.name == "/aws/ecs/netflix-clone-dev-previews" && aws_cloudwatch_log_group.tasks.retention_in_days == 30 && aws_cloudwatch_log_group.tasks.kms_key_id == module.log_key.arn
    error_message = "the log group has a retention and is encrypted with its own log key"
  }
  assert {
    condition     = output.permissions_boundaries == { execution = var.permissions_boundary_arn, task = var.permissions_boundary_arn }
    error_message = "both roles carry the environment's permissions boundary"
  }
  assert {
    condition = alltrue([
      for r in [aws_iam_role.execution, aws_iam_role.task] : alltrue([
        for s in jsondecode(r.assume_role_policy).Statement :
        s.Principal.Service == "ecs-tasks.amazonaws.com" && s.Condition.StringEquals["aws:SourceAccount"] == "111122223333"
      ])
    ])
    error_message = "only ECS tasks of this account may assume the roles"
  }
  assert {
    condition = [
      for s in jsondecode(aws_iam_role_policy.execution.policy).Statement : [s.Action, s.Resource]
      ] == [
      ["ecr:GetAuthorizationToken", "*"],
      [["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"], aws_ecr_repository.previews.arn],
      [["logs:CreateLogStream", "logs:PutLogEvents"], "${aws_cloudwatch_log_group.tasks.arn}:*"],
      ["secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:netflix-clone/dev/previews/*"],
    ]
    error_message = "the execution role pulls preview images, writes the previews' logs and reads previews' secrets, nothing else"
  }
  assert {
    condition     = aws_ecr_repository.previews.name == "netflix-clone-dev-previews" && aws_ecr_repository.previews.image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.previews.image_scanning_configuration[0].scan_on_push
    error_message = "preview images go to their own immutable, scanned repository"
  }
  assert {
    condition = [
      for r in jsondecode(aws_ecr_lifecycle_policy.previews.policy).rules :
      [r.selection.tagStatus, try(r.selection.tagPrefixList, []), r.selection.countType, r.selection.countNumber]
      ] == [
      ["tagged", ["pr-"], "sinceImagePushed", 14],
      ["untagged", [], "sinceImagePushed", 1],
    ]
    error_message = "preview images expire 14 days after their push, untagged leftovers after a day"
  }
}

run "only_the_load_balancer_reaches_the_tasks" {
  command = apply

  assert {
    condition     = [for r in aws_vpc_security_group_ingress_rule.alb_https : [r.from_port, r.to_port, r.cidr_ipv4]] == [[443, 443, "198.51.100.0/24"]]
    error_message = "the load balancer admits HTTPS from ingress_cidrs only"
  }
  assert {
    condition = (aws_vpc_security_group_ingress_rule.tasks_from_alb.referenced_security_group_id == aws_security_group.alb.id
      && aws_vpc_security_group_ingress_rule.tasks_from_alb.from_port == 8000
    && aws_vpc_security_group_ingress_rule.tasks_from_alb.to_port == 8000)
    error_message = "the tasks admit the load balancer's security group on 8000 only"
  }
  assert {
    condition = (aws_vpc_security_group_egress_rule.tasks_to_endpoints.cidr_ipv4 == "10.10.0.0/16"
      && aws_vpc_security_group_egress_rule.tasks_to_s3.prefix_list_id == "pl-6da54004"
      && alltrue([for r in [aws_vpc_security_group_egress_rule.tasks_to_endpoints, aws_vpc_security_group_egress_rule.tasks_to_s3] : r.from_port == 443 && r.to_port == 443])
    )
    error_message = "the tasks reach only the VPC endpoints (443 in the VPC, S3's prefix list): no internet"
  }
  assert {
    condition     = !aws_lb.this.internal && aws_lb.this.drop_invalid_header_fields && aws_lb.this.subnets == toset(var.public_subnet_ids)
    error_message = "an internet-facing ALB in the public subnets that drops invalid headers"
  }
  assert {
    condition = (aws_lb_listener.https.protocol == "HTTPS" && aws_lb_listener.https.port == 443
      && aws_lb_listener.https.ssl_policy == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    && aws_lb_listener.https.default_action[0].fixed_response[0].status_code == "404")
    error_message = "HTTPS only (TLS 1.2+), and an unknown host gets a 404"
  }
  assert {
    condition     = aws_acm_certificate.wildcard.domain_name == "*.previews.example.com" && length(aws_route53_record.certificate_validation) == 0 && length(aws_route53_record.wildcard) == 0
    error_message = "a wildcard certificate; no Route 53 records without a zone"
  }
  assert {
    condition     = output.dns_record == { name = "*.previews.example.com", type = "CNAME", value = aws_lb.this.dns_name }
    error_message = "without a zone, the record to create by hand is an output"
  }
}

run "the_workflow_reads_one_parameter" {
  command = apply

  assert {
    condition     = aws_ssm_parameter.config.name == "/netflix-clone/dev/previews/config" && aws_ssm_parameter.config.type == "String"
    error_message = "the workflow's values are the SSM parameter /netflix-clone/<env>/previews/config"
  }
  assert {
    condition = jsondecode(aws_ssm_parameter.config.value) == {
      name               = "netflix-clone-dev"
      region             = "eu-west-1"
      cluster            = "netflix-clone-dev-previews"
      domain             = "previews.example.com"
      listener_arn       = aws_lb_listener.https.arn
      vpc_id             = "vpc-0123456789abcdef0"
      subnets            = ["subnet-a", "subnet-b", "subnet-c"]
      security_groups    = [aws_security_group.tasks.id]
      execution_role_arn = aws_iam_role.execution.arn
      task_role_arn      = aws_iam_role.task.arn
      log_group          = "/aws/ecs/netflix-clone-dev-previews"
      repository_name    = "netflix-clone-dev-previews"
      repository_url     = aws_ecr_repository.previews.repository_url
      secret_prefix      = "netflix-clone/dev/previews"
      capacity_provider  = "FARGATE_SPOT"
      max_previews       = 5
      idle_days          = 3
      container_port     = 8000
    }
    error_message = "the published configuration names every shared piece the workflow uses"
  }
}

run "with_a_zone_terraform_writes_the_records" {
  command = apply

  variables {
    route53_zone_id = "Z0123456789ABCDEFGHIJ"
    use_spot        = false
  }

  assert {
    condition     = length(aws_route53_record.certificate_validation) == 1 && aws_route53_record.wildcard[0].name == "*.previews.example.com"
    error_message = "with a zone, the validation record and *.<domain> -> load balancer are Terraform's"
  }
  assert {
    condition     = [for s in aws_ecs_cluster_capacity_providers.this.default_capacity_provider_strategy : s.capacity_provider] == ["FARGATE"] && jsondecode(aws_ssm_parameter.config.value).capacity_provider == "FARGATE"
    error_message = "use_spot = false runs previews on on-demand Fargate"
  }
}

run "refuses_unbounded_or_open_ended_settings" {
  command = plan

  variables {
    max_previews  = 0
    ingress_cidrs = []
    idle_days     = 60
  }

  expect_failures = [var.max_previews, var.ingress_cidrs, var.idle_days]
}

# Mocked AWS for the offline tests of modules/observability: nothing is created; data sources
# return these values and computed attributes are made up. ARNs that feed other resources must
# look real, because the provider still validates arguments.

mock_data "aws_caller_identity" {
  defaults = { account_id = "111122223333" }
}
mock_data "aws_partition" {
  defaults = { partition = "aws" }
}
mock_data "aws_region" {
  defaults = { name = "eu-west-1" }
}
mock_data "aws_elb_service_account" {
  defaults = { arn = "arn:aws:iam::156460612806:root" }
}
# No ALB yet (before the first release); tests that need one override this.
mock_data "aws_lbs" {
  defaults = { arns = [] }
}

mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::111122223333:role/mock" }
}
mock_resource "aws_kms_key" {
  defaults = { arn = "arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000" }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-1:111122223333:log-group:mock" }
}
mock_resource "aws_sns_topic" {
  defaults = { arn = "arn:aws:sns:eu-west-1:111122223333:mock-alarms" }
}
mock_resource "aws_s3_bucket" {
  defaults = { arn = "arn:aws:s3:::mock-alb-logs" }
}
mock_resource "aws_cloudwatch_metric_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:mock" }
}
mock_resource "aws_cloudwatch_composite_alarm" {
  defaults = { arn = "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:mock-composite" }
}

output "bucket" {
  value = aws_s3_bucket.tier.bucket
}

output "broker_policy_arn" {
  description = "Attach to the brokers' IAM role (IRSA) so they can reach their prefix."
  value       = aws_iam_policy.broker.arn
}

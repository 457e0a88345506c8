output "bucket_name" {
  description = "Name of the tier's bucket (sluice.tier.s3.bucket)."
  value       = aws_s3_bucket.tier.bucket
}

output "bucket_arn" {
  description = "ARN of the tier's bucket."
  value       = aws_s3_bucket.tier.arn
}

output "bucket_prefix" {
  description = "Key prefix of this cluster's objects (sluice.tier.s3.prefix)."
  value       = local.prefix
}

output "broker_policy_arn" {
  description = "IAM policy with the brokers' grant on the bucket; attached to the IRSA role, or to attach to the IAM user of static credentials."
  value       = aws_iam_policy.broker.arn
}

output "broker_role_arn" {
  description = "IAM role the brokers assume through IRSA; null with static credentials."
  value       = one(aws_iam_role.broker[*].arn)
}

output "namespace" {
  description = "Kubernetes namespace of the SluiceCluster."
  value       = local.namespace
}

output "service_account_name" {
  description = "ServiceAccount the IAM role trusts."
  value       = var.service_account_name
}

output "cluster_name" {
  description = "Name of the SluiceCluster."
  value       = var.cluster_name
}

output "client_service_dns" {
  description = "In-cluster DNS name of the brokers' client Service (REST and WebSocket on port 8080)."
  value       = local.client_service_dns
}

output "client_url" {
  description = "In-cluster base URL of the brokers' API."
  value       = "http://${local.client_service_dns}:8080"
}

output "broker_image" {
  description = "Image the brokers run."
  value       = local.broker_image
}

output "operator_image" {
  description = "Image the operator runs."
  value       = local.operator_image
}

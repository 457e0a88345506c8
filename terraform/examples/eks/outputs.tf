output "bucket_name" {
  description = "The tier's bucket."
  value       = module.sluice.bucket_name
}

output "bucket_arn" {
  description = "ARN of the tier's bucket."
  value       = module.sluice.bucket_arn
}

output "broker_role_arn" {
  description = "IAM role the brokers assume (IRSA)."
  value       = module.sluice.broker_role_arn
}

output "namespace" {
  description = "Namespace of the SluiceCluster."
  value       = module.sluice.namespace
}

output "client_service_dns" {
  description = "In-cluster DNS name of the brokers' client Service."
  value       = module.sluice.client_service_dns
}

output "client_url" {
  description = "In-cluster base URL of the brokers' API."
  value       = module.sluice.client_url
}

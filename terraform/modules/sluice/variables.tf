variable "region" {
  description = "AWS region of the bucket."
  type        = string
  default     = "us-east-1"
}

variable "bucket" {
  description = "Bucket for Sluice's tiered segments (created here)."
  type        = string
}

variable "cluster_name" {
  description = "Sluice cluster name; also the key prefix in the bucket."
  type        = string
  default     = "sluice"
}

variable "namespace" {
  description = "Kubernetes namespace for the brokers."
  type        = string
  default     = "sluice"
}

variable "image" {
  description = "Broker image, built with Jib (see docs/operations.md)."
  type        = string
}

variable "broker_volume_size" {
  description = "Hot-segment volume per broker."
  type        = string
  default     = "50Gi"
}

variable "service_account_role_arn" {
  description = "IAM role the brokers assume through IRSA (EKS); empty: no annotation."
  type        = string
  default     = ""
}

variable "incomplete_upload_days" {
  description = "Abort multipart uploads left incomplete (a broker died mid-upload) after this many days."
  type        = number
  default     = 1
}

variable "kubeconfig" {
  type    = string
  default = "~/.kube/config"
}

variable "kube_context" {
  type    = string
  default = null
}

variable "region" {
  description = "AWS region of the EKS cluster and the bucket."
  type        = string
  default     = "eu-west-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "eks_cluster_name" {
  description = "Name of the existing EKS cluster to install Sluice into."
  type        = string
}

variable "cluster_name" {
  description = "Name of the SluiceCluster (and the key prefix in the bucket)."
  type        = string
  default     = "sluice"
}

variable "namespace" {
  description = "Kubernetes namespace for the operator and the brokers."
  type        = string
  default     = "sluice"
}

variable "sluice_version" {
  description = "Image tag of sluice/sluice and sluice/sluice-operator."
  type        = string
  default     = "0.1.0"
}

variable "image_registry" {
  description = "Registry the images were pushed to (e.g. an ECR repository host); empty: sluice/sluice as is."
  type        = string
  default     = ""
}

variable "replicas" {
  description = "Brokers in the cluster."
  type        = number
  default     = 3
}

variable "storage_size" {
  description = "Local volume per broker."
  type        = string
  default     = "50Gi"
}

variable "storage_class" {
  description = "StorageClass of the brokers' volumes; null: the cluster's default (gp3 on recent EKS setups)."
  type        = string
  default     = null
}

variable "bucket_name" {
  description = "Name of the bucket to create for the tiered segments."
  type        = string
}

variable "kms_key_arn" {
  description = "KMS key for the bucket's encryption; null: SSE-S3."
  type        = string
  default     = null
}

variable "create_cluster" {
  description = "Create the SluiceCluster; false on the first apply, which installs the CRDs it needs."
  type        = bool
  default     = true
}

# Pinned to the major lines this module is written against: AWS provider 6 (its S3 bucket
# resources split into one resource per bucket setting) and Kubernetes provider 2 (its
# kubernetes_manifest applies custom resources by server-side apply).
terraform {
  required_version = "~> 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = "~> 2.36"
    }
  }
}

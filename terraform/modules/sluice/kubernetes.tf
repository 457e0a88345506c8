# The brokers, as in k8s/sluice.yaml, pointed at the bucket above. Credentials come from the AWS
# default chain: on EKS, the service account's IAM role (IRSA) with the policy of bucket.tf.
resource "kubernetes_namespace" "sluice" {
  metadata {
    name = var.namespace
  }
}

resource "kubernetes_service_account" "broker" {
  metadata {
    name        = "sluice"
    namespace   = kubernetes_namespace.sluice.metadata[0].name
    annotations = var.service_account_role_arn == "" ? {} : { "eks.amazonaws.com/role-arn" = var.service_account_role_arn }
  }
}

resource "kubernetes_service" "headless" {
  metadata {
    name      = "sluice-headless"
    namespace = kubernetes_namespace.sluice.metadata[0].name
    labels    = { app = "sluice" }
  }
  spec {
    cluster_ip                  = "None"
    publish_not_ready_addresses = true
    selector                    = { app = "sluice" }
    port {
      name = "http"
      port = 8080
    }
  }
}

resource "kubernetes_service" "client" {
  metadata {
    name      = "sluice"
    namespace = kubernetes_namespace.sluice.metadata[0].name
    labels    = { app = "sluice" }
  }
  spec {
    selector = { app = "sluice" }
    port {
      name        = "http"
      port        = 8080
      target_port = "http"
    }
  }
}

resource "kubernetes_stateful_set" "sluice" {
  metadata {
    name      = "sluice"
    namespace = kubernetes_namespace.sluice.metadata[0].name
  }
  spec {
    service_name = kubernetes_service.headless.metadata[0].name
    replicas     = 1
    selector {
      match_labels = { app = "sluice" }
    }
    template {
      metadata {
        labels = { app = "sluice" }
      }
      spec {
        service_account_name             = kubernetes_service_account.broker.metadata[0].name
        termination_grace_period_seconds = 60
        container {
          name  = "sluice"
          image = var.image
          port {
            name           = "http"
            container_port = 8080
          }
          env {
            name  = "SLUICE_DATA_DIR"
            value = "/var/lib/sluice"
          }
          env {
            name  = "SLUICE_CLUSTER_NAME"
            value = var.cluster_name
          }
          env {
            name  = "SLUICE_TIER_S3_ENDPOINT"
            value = "https://s3.${var.region}.amazonaws.com"
          }
          env {
            name  = "SLUICE_TIER_S3_BUCKET"
            value = aws_s3_bucket.tier.bucket
          }
          env {
            name  = "SLUICE_TIER_S3_REGION"
            value = var.region
          }
          volume_mount {
            name       = "data"
            mount_path = "/var/lib/sluice"
          }
          readiness_probe {
            http_get {
              path = "/q/health/ready"
              port = "http"
            }
            period_seconds = 5
          }
          liveness_probe {
            http_get {
              path = "/q/health/live"
              port = "http"
            }
            initial_delay_seconds = 30
            period_seconds        = 10
          }
          startup_probe {
            http_get {
              path = "/q/health/ready"
              port = "http"
            }
            period_seconds    = 2
            failure_threshold = 150
          }
          resources {
            requests = { cpu = "1", memory = "2Gi" }
            limits   = { memory = "4Gi" }
          }
        }
      }
    }
    volume_claim_template {
      metadata {
        name = "data"
      }
      spec {
        access_modes = ["ReadWriteOnce"]
        resources {
          requests = { storage = var.broker_volume_size }
        }
      }
    }
  }
}

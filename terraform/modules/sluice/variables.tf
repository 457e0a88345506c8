# Each validation refers only to its own variable, so the module runs on Terraform before 1.9 too;
# rules that tie two variables together are preconditions on the resources they concern.

# --- The cluster --------------------------------------------------------------------------------

variable "cluster_name" {
  description = "Name of the SluiceCluster, its client Service and StatefulSet; also the default key prefix in the bucket and the JGroups cluster name."
  type        = string
  default     = "sluice"

  validation {
    # A Service name (DNS-1035 label); 52 characters at most because the StatefulSet's pods add a
    # revision hash label of their own to it and label values stop at 63.
    condition     = can(regex("^[a-z]([-a-z0-9]{0,50}[a-z0-9])?$", var.cluster_name))
    error_message = "cluster_name must be 1-52 characters of lower-case letters, digits and '-', starting with a letter and ending with a letter or digit."
  }
}

variable "sluice_version" {
  description = "Broker version: the image tag of sluice/sluice that `./mvnw package -Dquarkus.container-image.build=true` builds (the project version, e.g. 0.1.0)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$", var.sluice_version))
    error_message = "sluice_version must look like MAJOR.MINOR.PATCH with an optional -SUFFIX (0.1.0, 0.2.0-SNAPSHOT)."
  }
}

variable "image_registry" {
  description = "Registry (and path) the images were pushed to, without a trailing slash, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com. Empty: the images are pulled as sluice/sluice and sluice/sluice-operator."
  type        = string
  default     = ""

  validation {
    condition     = var.image_registry == "" || can(regex("^[a-zA-Z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)*$", var.image_registry))
    error_message = "image_registry must be a registry host with an optional :port and /path, and no trailing slash."
  }
}

variable "replicas" {
  description = "Brokers in the cluster. Any count of 1 or more works; odd counts are the useful ones, because a broker acts only while it sees a majority of the registered brokers, so 4 tolerates one failure, like 3."
  type        = number
  default     = 3

  validation {
    condition     = var.replicas >= 1 && floor(var.replicas) == var.replicas
    error_message = "replicas must be a whole number of 1 or more."
  }
}

variable "storage_size" {
  description = "Local volume per broker for the hot tail of its partitions (a Kubernetes quantity). Size it against local retention, not total retention: older segments live in the bucket."
  type        = string
  default     = "50Gi"

  validation {
    condition     = can(regex("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$", var.storage_size))
    error_message = "storage_size must be a Kubernetes quantity such as 50Gi."
  }
}

variable "storage_class" {
  description = "StorageClass of the brokers' volumes; null: the cluster's default class."
  type        = string
  default     = null
}

variable "rack_topology_key" {
  description = "Node label whose value is a broker's rack (sluice.rack), so replicas spread over zones; null: no racks."
  type        = string
  default     = "topology.kubernetes.io/zone"
}

variable "resources" {
  description = "Kubernetes resource requirements of each broker container: a map with `requests` and/or `limits`, each a map of resource name to quantity."
  type        = map(map(string))
  default = {
    requests = { cpu = "1", memory = "2Gi" }
    limits   = { memory = "4Gi" }
  }

  validation {
    condition     = alltrue([for key in keys(var.resources) : contains(["requests", "limits"], key)])
    error_message = "resources may only have the keys requests and limits."
  }
}

variable "broker_config" {
  description = "Extra broker configuration properties (sluice.* names, as in the configuration reference), passed through the SluiceCluster to the brokers' ConfigMap."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for key in keys(var.broker_config) : startswith(key, "sluice.")])
    error_message = "Every broker_config key must be a sluice.* property."
  }
}

variable "create_cluster" {
  description = "Create the SluiceCluster resource. Its CRD must exist when Terraform plans it: apply the operator first (see the module's documentation)."
  type        = bool
  default     = true
}

# --- Kubernetes -----------------------------------------------------------------------------------

variable "namespace" {
  description = "Kubernetes namespace of the SluiceCluster and its brokers."
  type        = string
  default     = "sluice"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS-1123 label: 1-63 lower-case letters, digits and '-'."
  }
}

variable "create_namespace" {
  description = "Create the namespace; false: it exists already."
  type        = bool
  default     = true
}

variable "service_account_name" {
  description = "ServiceAccount the brokers run as, which IRSA binds to the IAM role. The operator's StatefulSet names none, so its pods run as the namespace's `default`, which this module then annotates; another name is created here and must be the one the brokers' pods use."
  type        = string
  default     = "default"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", var.service_account_name))
    error_message = "service_account_name must be a DNS-1123 subdomain."
  }
}

variable "install_operator" {
  description = "Apply the operator (CRDs, RBAC, Deployment) from operator_manifests_dir; false: it is installed already."
  type        = bool
  default     = true
}

variable "operator_manifests_dir" {
  description = "Directory holding the operator's kustomization.yaml and the manifests it lists; null: k8s/operator of this repository."
  type        = string
  default     = null
}

variable "operator_namespace" {
  description = "Namespace of the operator's Deployment and ServiceAccount; null: the cluster's namespace."
  type        = string
  default     = null

  validation {
    condition     = var.operator_namespace == null || can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.operator_namespace))
    error_message = "operator_namespace must be a DNS-1123 label."
  }
}

variable "operator_version" {
  description = "Image tag of sluice/sluice-operator; null: sluice_version."
  type        = string
  default     = null

  validation {
    condition     = var.operator_version == null || can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+(-[0-9A-Za-z.-]+)?$", var.operator_version))
    error_message = "operator_version must look like MAJOR.MINOR.PATCH with an optional -SUFFIX."
  }
}

# --- The bucket -----------------------------------------------------------------------------------

variable "bucket_name" {
  description = "Name of the S3 bucket created for the tiered segments."
  type        = string

  validation {
    # S3's general-purpose bucket naming rules, the ones a regular expression can say.
    condition = (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
      && !strcontains(var.bucket_name, "..")
      && !strcontains(var.bucket_name, ".-")
      && !strcontains(var.bucket_name, "-.")
      && !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.bucket_name))
      && !startswith(var.bucket_name, "xn--")
      && !startswith(var.bucket_name, "sthree-")
      && !endswith(var.bucket_name, "-s3alias")
      && !endswith(var.bucket_name, "--ol-s3")
    )
    error_message = "bucket_name must be 3-63 characters of lower-case letters, digits, '.' and '-', start and end with a letter or digit, hold no '..', '.-' or '-.', not look like an IP address, and not use a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3)."
  }
}

variable "bucket_prefix" {
  description = "Key prefix of this cluster's objects (sluice.tier.s3.prefix), without leading or trailing slash; the brokers' IAM policy is scoped to it. null: cluster_name, as the broker defaults it."
  type        = string
  default     = null

  validation {
    # No '*' or '?': they would widen the IAM policy's resource and condition patterns.
    condition     = var.bucket_prefix == null || can(regex("^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$", var.bucket_prefix))
    error_message = "bucket_prefix must be non-empty, without a leading or trailing '/', without '//', and use only letters, digits and !_.'()- between slashes."
  }
}

variable "s3_endpoint" {
  description = "S3 endpoint the brokers use (sluice.tier.s3.endpoint), e.g. a FIPS or VPC interface endpoint; null: the bucket's regional endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.s3_endpoint == null || can(regex("^https://[^/]+/?$", var.s3_endpoint))
    error_message = "s3_endpoint must be an https:// URL without a path."
  }
}

variable "kms_key_arn" {
  description = "KMS key for server-side encryption (SSE-KMS, with an S3 bucket key); the brokers' policy then may use it. null: SSE-S3 (AES256)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key or alias ARN."
  }
}

variable "versioning" {
  description = "Enable object versioning. Sluice deletes segments past retention itself; with versioning on, those deletes leave noncurrent versions, expired after noncurrent_version_days."
  type        = bool
  default     = false
}

variable "noncurrent_version_days" {
  description = "Days after which noncurrent object versions are expired (only with versioning)."
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_version_days >= 1 && floor(var.noncurrent_version_days) == var.noncurrent_version_days
    error_message = "noncurrent_version_days must be a whole number of 1 or more."
  }
}

variable "incomplete_upload_days" {
  description = "Days after which multipart uploads left incomplete (a broker died mid-upload) are aborted, so their parts stop costing storage."
  type        = number
  default     = 1

  validation {
    condition     = var.incomplete_upload_days >= 1 && floor(var.incomplete_upload_days) == var.incomplete_upload_days
    error_message = "incomplete_upload_days must be a whole number of 1 or more."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its objects. Leave false for anything holding data: the bucket is the only copy of segments past local retention."
  type        = bool
  default     = false
}

# --- Credentials ----------------------------------------------------------------------------------

variable "credentials" {
  description = "How brokers authenticate to S3: \"irsa\" (an IAM role for the ServiceAccount, through the cluster's OIDC provider; no secret anywhere) or \"static\" (an access key in a Kubernetes Secret)."
  type        = string
  default     = "irsa"

  validation {
    condition     = contains(["irsa", "static"], var.credentials)
    error_message = "credentials must be \"irsa\" or \"static\"."
  }
}

variable "oidc_provider_arn" {
  description = "ARN of the EKS cluster's IAM OIDC provider (arn:aws:iam::ACCOUNT:oidc-provider/oidc.eks.REGION.amazonaws.com/id/ID); required with credentials = \"irsa\"."
  type        = string
  default     = null

  validation {
    condition     = var.oidc_provider_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/.+$", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN."
  }
}

variable "iam_role_name" {
  description = "Name of the brokers' IAM role (IRSA); null: <cluster_name>-sluice-broker."
  type        = string
  default     = null
}

variable "static_credentials" {
  description = "Access key of an IAM user holding the broker policy (output broker_policy_arn); required with credentials = \"static\". Stored in the Secret <cluster_name>-s3 under access-key and secret-key."
  type = object({
    access_key_id     = string
    secret_access_key = string
  })
  default   = null
  sensitive = true
}

variable "tags" {
  description = "Tags for the AWS resources (bucket, policy, role)."
  type        = map(string)
  default     = {}
}

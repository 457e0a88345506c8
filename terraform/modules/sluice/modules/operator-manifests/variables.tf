variable "enabled" {
  description = "Read the manifests; false: every output is empty."
  type        = bool
}

variable "manifests_dir" {
  description = "Directory holding the operator's kustomization.yaml and the manifests it lists."
  type        = string
}

variable "namespace" {
  description = "Namespace for the operator's namespaced objects and its bindings' ServiceAccount subjects."
  type        = string
}

variable "operator_image" {
  description = "Image for the operator's container (the one whose image is sluice-operator)."
  type        = string
}

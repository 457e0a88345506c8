# No provider: this module only reads files and computes values, so it can be evaluated (and
# tested) without any provider or cluster.
terraform {
  required_version = "~> 1.6"
}

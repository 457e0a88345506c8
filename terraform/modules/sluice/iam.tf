# What a broker may do in the bucket: read, write and delete objects under its cluster's prefix,
# list that prefix, and the one bucket-level call it makes at start-up.
data "aws_iam_policy_document" "broker" {
  # Segments and their indexes: uploads (multipart for large segments), ranged reads, deletion
  # past retention, and cleanup of an upload that failed midway.
  statement {
    sid = "ObjectsUnderClusterPrefix"
    actions = [
      "s3:GetObject",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = ["${aws_s3_bucket.tier.arn}/${local.prefix}/*"]
  }

  # Rebuilding the view of remote segments lists keys under <prefix>/ (ListObjectsV2 with a
  # prefix). This is the listing the brokers need; the next statement makes it redundant for
  # IAM, and it stays to say what is listed, and so that it still holds if that one goes.
  statement {
    sid       = "ListClusterPrefix"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.tier.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.prefix}/*"]
    }
  }

  # A broker's start-up check is HeadBucket (does the bucket exist, may I use it?). S3 authorises
  # HeadBucket as s3:ListBucket on the bucket, and the request carries no s3:prefix, so the
  # conditioned statement above never matches it: without this statement HeadBucket answers
  # 403 and the broker refuses to start. The grant lets the role list key names bucket-wide
  # (not read them: GetObject stays under the prefix). GetBucketLocation lets an SDK find the
  # bucket's region when it is not configured.
  statement {
    sid       = "HeadBucketAtStartup"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.tier.arn]
  }

  # SSE-KMS: writing needs a data key, and reading (and completing a multipart upload) decrypts.
  dynamic "statement" {
    for_each = var.kms_key_arn == null ? [] : [var.kms_key_arn]
    content {
      sid       = "UseBucketKmsKey"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [statement.value]
    }
  }
}

# A managed policy rather than an inline one, so that an IAM user for static credentials can be
# given the same grant (output broker_policy_arn).
resource "aws_iam_policy" "broker" {
  name        = "${var.cluster_name}-sluice-broker"
  description = "Sluice cluster ${var.cluster_name}: its prefix of bucket ${var.bucket_name}."
  policy      = data.aws_iam_policy_document.broker.json
  tags        = var.tags
}

# IRSA: the EKS pod identity webhook gives pods of the annotated ServiceAccount a web identity
# token from the cluster's OIDC issuer; this trust lets exactly that ServiceAccount exchange it.
data "aws_iam_policy_document" "broker_trust" {
  count = local.irsa ? 1 : 0

  statement {
    sid     = "ServiceAccountWebIdentity"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = ["system:serviceaccount:${var.namespace}:${var.service_account_name}"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }

  lifecycle {
    precondition {
      condition     = var.oidc_provider_arn != null
      error_message = "credentials = \"irsa\" needs oidc_provider_arn (the EKS cluster's IAM OIDC provider)."
    }
  }
}

resource "aws_iam_role" "broker" {
  count              = local.irsa ? 1 : 0
  name               = coalesce(var.iam_role_name, "${var.cluster_name}-sluice-broker")
  description        = "Assumed by the brokers of Sluice cluster ${var.cluster_name} (ServiceAccount ${var.namespace}/${var.service_account_name})."
  assume_role_policy = data.aws_iam_policy_document.broker_trust[0].json
  tags               = var.tags
}

resource "aws_iam_role_policy_attachment" "broker" {
  count      = local.irsa ? 1 : 0
  role       = aws_iam_role.broker[0].name
  policy_arn = aws_iam_policy.broker.arn
}

# The tier's bucket: private, encrypted at rest, TLS only, and cleaned of abandoned multipart
# uploads. Segment retention is Sluice's job (retention.ms / retention.bytes per topic), so there
# is no expiration rule on segment objects: an object-store rule would delete data behind the
# broker's back and break its remote view.
resource "aws_s3_bucket" "tier" {
  bucket = var.bucket
}

resource "aws_s3_bucket_public_access_block" "tier" {
  bucket                  = aws_s3_bucket.tier.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "tier" {
  bucket = aws_s3_bucket.tier.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "tier" {
  bucket = aws_s3_bucket.tier.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "tier" {
  bucket = aws_s3_bucket.tier.id
  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.incomplete_upload_days
    }
  }
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.tier.arn, "${aws_s3_bucket.tier.arn}/*"]
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "tier" {
  bucket     = aws_s3_bucket.tier.id
  policy     = data.aws_iam_policy_document.tls_only.json
  depends_on = [aws_s3_bucket_public_access_block.tier]
}

# What a broker may do, and only under its cluster's prefix.
data "aws_iam_policy_document" "broker" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.tier.arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.cluster_name}/*"]
    }
  }
  statement {
    actions = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts"]
    resources = ["${aws_s3_bucket.tier.arn}/${var.cluster_name}/*"]
  }
  statement {
    actions   = ["s3:GetBucketLocation"]
    resources = [aws_s3_bucket.tier.arn]
  }
}

resource "aws_iam_policy" "broker" {
  name   = "${var.cluster_name}-sluice-tier"
  policy = data.aws_iam_policy_document.broker.json
}

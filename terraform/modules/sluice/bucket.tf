# The tier's bucket: private, encrypted at rest, TLS only, and cleaned of abandoned multipart
# uploads. Segment retention is Sluice's job (retention.ms / retention.bytes per topic), so there
# is no expiration rule on current objects: a bucket rule would delete segments behind the
# brokers' backs and break their view of remote data.
resource "aws_s3_bucket" "tier" {
  bucket        = var.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
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
      sse_algorithm     = var.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
    # A bucket key cuts the KMS requests of SSE-KMS from one per object to one per key period.
    bucket_key_enabled = var.kms_key_arn != null
  }
}

resource "aws_s3_bucket_versioning" "tier" {
  count  = var.versioning ? 1 : 0
  bucket = aws_s3_bucket.tier.id
  versioning_configuration {
    status = "Enabled"
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

  # With versioning, a segment Sluice deletes stays as a noncurrent version: expire those, and
  # the delete markers left with nothing behind them.
  dynamic "rule" {
    for_each = var.versioning ? [var.noncurrent_version_days] : []
    content {
      id     = "expire-noncurrent-versions"
      status = "Enabled"
      filter {}
      noncurrent_version_expiration {
        noncurrent_days = rule.value
      }
      expiration {
        expired_object_delete_marker = true
      }
    }
  }

  # S3 rejects lifecycle rules on noncurrent versions until versioning is on.
  depends_on = [aws_s3_bucket_versioning.tier]
}

data "aws_iam_policy_document" "bucket" {
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

  statement {
    sid     = "DenyTlsBelow12"
    effect  = "Deny"
    actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    resources = [aws_s3_bucket.tier.arn, "${aws_s3_bucket.tier.arn}/*"]
    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }
}

resource "aws_s3_bucket_policy" "tier" {
  bucket = aws_s3_bucket.tier.id
  policy = data.aws_iam_policy_document.bucket.json
  # S3 refuses concurrent changes to one bucket's policy and public access block
  # (OperationAborted): one after the other.
  depends_on = [aws_s3_bucket_public_access_block.tier]
}

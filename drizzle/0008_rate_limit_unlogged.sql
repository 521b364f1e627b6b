-- Token buckets change on every API request and are worthless after a crash (a bucket that
-- comes back full is harmless): keep them out of the WAL so a request never waits for a flush.
ALTER TABLE "rate_limit_buckets" SET UNLOGGED;

package objects

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DeletePrefix removes up to limit objects whose keys start with prefix
// (one ListObjectsV2 page, then one DeleteObject each) and returns how many
// it removed; fewer than limit means none are left. prefix must name a
// folder ("files/<organizationId>/"), never "".
func (b Bucket) DeletePrefix(ctx context.Context, prefix string, limit int) (int, error) {
	if prefix == "" || limit <= 0 {
		return 0, fmt.Errorf("delete objects: an empty prefix or limit")
	}
	out, err := b.Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(b.Name), Prefix: aws.String(prefix), MaxKeys: aws.Int32(int32(min(limit, 1000))),
	})
	if err != nil {
		return 0, fmt.Errorf("list objects %s: %w", prefix, err)
	}
	n := 0
	for _, o := range out.Contents {
		if err := b.Delete(ctx, aws.ToString(o.Key)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

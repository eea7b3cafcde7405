// Package objects keeps large payloads (uploaded files, BPMN documents,
// mail) in S3, under keys the server chooses.
package objects

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/effektif-serverless/caseflow/shared/awsclients"
	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Bucket is one S3 bucket.
type Bucket struct {
	Client *s3.Client
	Name   string
}

// New returns the named bucket with an S3 client made from cfg. Against a
// custom endpoint (a local S3-compatible server) the client uses
// path-style addressing, which such servers need.
func New(cfg aws.Config, name string) Bucket {
	custom := awsclients.CustomEndpoint("AWS_ENDPOINT_URL_S3")
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = custom
	})
	return Bucket{Client: client, Name: name}
}

// FromEnv is the bucket of uploaded files and received mail: FILES_BUCKET.
func FromEnv(cfg aws.Config) Bucket { return New(cfg, os.Getenv("FILES_BUCKET")) }

// Get reads an object of at most limit bytes. Errors: NotFound for a
// missing object, TooLarge beyond the limit.
func (b Bucket) Get(ctx context.Context, key string, limit int64) ([]byte, error) {
	out, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, failure.New(failure.NotFound, "no such file")
	}
	if err != nil {
		return nil, failure.Wrap(err, "read object %s", key)
	}
	defer out.Body.Close()
	if out.ContentLength != nil && *out.ContentLength > limit {
		return nil, failure.New(failure.TooLarge, "the file is larger than %d bytes", limit)
	}
	data, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, failure.Wrap(err, "read object %s", key)
	}
	if int64(len(data)) > limit {
		return nil, failure.New(failure.TooLarge, "the file is larger than %d bytes", limit)
	}
	return data, nil
}

// Put writes an object.
func (b Bucket) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Name), Key: aws.String(key), Body: bytes.NewReader(data),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return fmt.Errorf("write object %s: %w", key, err)
	}
	return nil
}

// Delete removes an object (removing a missing one is not an error).
func (b Bucket) Delete(ctx context.Context, key string) error {
	_, err := b.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	if err != nil {
		return fmt.Errorf("delete object %s: %w", key, err)
	}
	return nil
}

// PresignGet returns a URL, valid for ttl, that downloads the object with
// the given Content-Type and Content-Disposition.
func (b Bucket) PresignGet(ctx context.Context, key, contentType, disposition string, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(b.Client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(b.Name), Key: aws.String(key),
		ResponseContentType: aws.String(contentType), ResponseContentDisposition: aws.String(disposition),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign object %s: %w", key, err)
	}
	return req.URL, nil
}

// GetWithType reads an object of at most limit bytes with its stored
// Content-Type. Errors: as Get.
func (b Bucket) GetWithType(ctx context.Context, key string, limit int64) ([]byte, string, error) {
	out, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Name), Key: aws.String(key)})
	var missing *types.NoSuchKey
	if errors.As(err, &missing) {
		return nil, "", failure.New(failure.NotFound, "no such picture")
	}
	if err != nil {
		return nil, "", failure.Wrap(err, "read object %s", key)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, limit+1))
	if err != nil {
		return nil, "", failure.Wrap(err, "read object %s", key)
	}
	if int64(len(data)) > limit {
		return nil, "", failure.New(failure.TooLarge, "the object is larger than %d bytes", limit)
	}
	return data, aws.ToString(out.ContentType), nil
}

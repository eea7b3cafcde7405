package awslocal

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

// AWSConfig is an SDK configuration with the stack's credentials and region
// (endpoints are set per client: see DynamoDB and S3).
func (s *Stack) AWSConfig() aws.Config {
	return aws.Config{
		Region: Region,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "awslocal"}, nil
		}),
		// The local S3 sends no checksums: don't ask for them (and log about it).
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
}

// DynamoDB returns a client of the stack's DynamoDB. It skips the CRC32
// check of responses, which DynamoDB Local leaves out of error responses.
func (s *Stack) DynamoDB() *dynamodb.Client {
	return dynamodb.NewFromConfig(s.AWSConfig(), func(o *dynamodb.Options) {
		o.BaseEndpoint = aws.String(s.DynamoDBEndpoint)
		o.DisableValidateResponseChecksum = true
	})
}

// S3 returns a path-style client of the stack's S3.
func (s *Stack) S3() *s3.Client {
	return s3.NewFromConfig(s.AWSConfig(), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(s.S3Endpoint)
		o.UsePathStyle = true
	})
}

// Provision creates the template's tables (with their indexes, stream and
// time to live) and buckets. What exists already is left as it is.
func (s *Stack) Provision(ctx context.Context, tmpl *samtemplate.Template) error {
	db := s.DynamoDB()
	for _, t := range tmpl.Tables {
		if err := createTable(ctx, db, t); err != nil {
			return fmt.Errorf("table %s (%s): %w", t.LogicalID, t.Name, err)
		}
	}
	s3c := s.S3()
	for _, b := range tmpl.Buckets {
		_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b.Name)})
		var owned *s3types.BucketAlreadyOwnedByYou
		var exists *s3types.BucketAlreadyExists
		if err != nil && !errors.As(err, &owned) && !errors.As(err, &exists) {
			return fmt.Errorf("bucket %s (%s): %w", b.LogicalID, b.Name, err)
		}
	}
	return nil
}

func createTable(ctx context.Context, db *dynamodb.Client, t samtemplate.Table) error {
	_, err := db.CreateTable(ctx, createTableInput(t))
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		err = addIndexes(ctx, db, t)
	}
	if err != nil {
		return err
	}
	if t.TTLAttribute == "" {
		return nil
	}
	ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(t.Name)})
	if err != nil {
		return err
	}
	if d := ttl.TimeToLiveDescription; d != nil && d.TimeToLiveStatus == types.TimeToLiveStatusEnabled {
		return nil
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(t.Name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(t.TTLAttribute),
			Enabled:       aws.Bool(true),
		},
	})
	return err
}

// addIndexes adds to an existing table (one kept in .local-data by an
// earlier make run) the template's global secondary indexes it lacks, as a
// stack update does on AWS. DynamoDB indexes the items that already carry
// an index's key attributes.
func addIndexes(ctx context.Context, db *dynamodb.Client, t samtemplate.Table) error {
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, ix := range desc.Table.GlobalSecondaryIndexes {
		have[aws.ToString(ix.IndexName)] = true
	}
	want := createTableInput(t)
	for _, ix := range want.GlobalSecondaryIndexes {
		if have[aws.ToString(ix.IndexName)] {
			continue
		}
		_, err := db.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:            aws.String(t.Name),
			AttributeDefinitions: want.AttributeDefinitions,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection, ProvisionedThroughput: ix.ProvisionedThroughput,
			}}},
		})
		if err != nil {
			return fmt.Errorf("add index %s to %s: %w", aws.ToString(ix.IndexName), t.Name, err)
		}
	}
	return nil
}

// createTableInput translates a template table into a CreateTable request.
func createTableInput(t samtemplate.Table) *dynamodb.CreateTableInput {
	provisioned := t.BillingMode != string(types.BillingModePayPerRequest)
	in := &dynamodb.CreateTableInput{
		TableName:   aws.String(t.Name),
		KeySchema:   keySchema(t.KeySchema),
		BillingMode: types.BillingMode(t.BillingMode),
	}
	for _, a := range t.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	if provisioned {
		in.ProvisionedThroughput = throughput(t.ProvisionedThroughput)
	}
	for _, ix := range t.GlobalSecondaryIndexes {
		gsi := types.GlobalSecondaryIndex{
			IndexName:  aws.String(ix.IndexName),
			KeySchema:  keySchema(ix.KeySchema),
			Projection: projection(ix.Projection),
		}
		if provisioned {
			gsi.ProvisionedThroughput = throughput(ix.ProvisionedThroughput)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
	}
	for _, ix := range t.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(ix.IndexName),
			KeySchema:  keySchema(ix.KeySchema),
			Projection: projection(ix.Projection),
		})
	}
	if t.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(t.StreamViewType),
		}
	}
	return in
}

func keySchema(ks []samtemplate.KeyElement) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, len(ks))
	for i, k := range ks {
		out[i] = types.KeySchemaElement{AttributeName: aws.String(k.AttributeName), KeyType: types.KeyType(k.KeyType)}
	}
	return out
}

func projection(p samtemplate.Projection) *types.Projection {
	out := &types.Projection{ProjectionType: types.ProjectionType(p.ProjectionType)}
	if p.ProjectionType == "" {
		out.ProjectionType = types.ProjectionTypeKeysOnly // the CloudFormation default
	}
	if len(p.NonKeyAttributes) > 0 {
		out.NonKeyAttributes = p.NonKeyAttributes
	}
	return out
}

// throughput is the provisioned capacity, 5/5 when the template gives none.
func throughput(p *samtemplate.Throughput) *types.ProvisionedThroughput {
	if p == nil {
		p = &samtemplate.Throughput{ReadCapacityUnits: 5, WriteCapacityUnits: 5}
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(p.ReadCapacityUnits),
		WriteCapacityUnits: aws.Int64(p.WriteCapacityUnits),
	}
}

package awslocal

import (
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/effektif-serverless/caseflow/shared/mail"
	"github.com/effektif-serverless/caseflow/shared/mail/sesmail"
)

func startStack(t *testing.T, dataDir string) *Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var logs io.Writer = io.Discard
	if os.Getenv("STORE_TEST_LOGS") != "" {
		logs = os.Stderr
	}
	s, err := Start(ctx, Config{Dir: "../localstack", DataDir: dataDir, Log: logs})
	if err != nil {
		t.Fatalf("start the local stack: %v", err)
	}
	return s
}

// TestStackKeepsData: a stack with a DataDir finds the tables and items,
// the objects and the sent mail of the one before it; one without keeps
// nothing.
func TestStackKeepsData(t *testing.T) {
	if testing.Short() {
		t.Skip("starts DynamoDB Local")
	}
	ctx := context.Background()
	dir := t.TempDir()
	first := startStack(t, dir)
	db, s3c := first.DynamoDB(), first.S3()
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("kept"),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("kept"), Item: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("kept"), Key: aws.String("files/a.txt"),
		Body: strings.NewReader("kept"), ContentType: aws.String("text/plain")}); err != nil {
		t.Fatal(err)
	}
	sender := sesmail.Sender{Client: sesClient(first.SESEndpoint), From: "caseflow@example.com"}
	if _, err := sender.Send(ctx, mail.Message{To: "ada@example.com", Subject: "Kept", Text: "kept"}); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	second := startStack(t, dir)
	defer second.Close()
	item, err := second.DynamoDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("kept"), Key: map[string]types.AttributeValue{
		"id": &types.AttributeValueMemberS{Value: "a"}}})
	if err != nil || item.Item == nil {
		t.Errorf("the item after a restart: %v, %v", item, err)
	}
	obj, err := second.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kept"), Key: aws.String("files/a.txt")})
	if err != nil {
		t.Fatalf("the object after a restart: %v", err)
	}
	data, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if string(data) != "kept" || aws.ToString(obj.ContentType) != "text/plain" {
		t.Errorf("the object after a restart: %q %q", data, aws.ToString(obj.ContentType))
	}
	if mails := second.SES.Mails(); len(mails) != 1 || mails[0].Subject != "Kept" {
		t.Errorf("the mail after a restart: %+v", mails)
	}

	// A second stack may not share the data of a running one.
	if _, err := Start(ctx, Config{Dir: "../localstack", DataDir: dir, Log: io.Discard}); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("a second stack on the same data: %v", err)
	}

	fresh := startStack(t, "")
	defer fresh.Close()
	tables, err := fresh.DynamoDB().ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(tables.TableNames) != 0 || len(fresh.SES.Mails()) != 0 {
		t.Errorf("a stack in memory: tables %v, %v", tables, err)
	}
}

// TestStackOnLoopback: every emulator answers on 127.0.0.1 and on no other
// address of the machine.
func TestStackOnLoopback(t *testing.T) {
	if testing.Short() {
		t.Skip("starts DynamoDB Local")
	}
	var other net.IP
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && !ip.IP.IsLoopback() && ip.IP.To4() != nil {
			other = ip.IP
			break
		}
	}
	if other == nil {
		t.Skip("the machine has no IPv4 address besides loopback")
	}
	s := startStack(t, "")
	defer s.Close()
	for name, endpoint := range map[string]string{"dynamodb": s.DynamoDBEndpoint, "s3": s.S3Endpoint, "ses": s.SESEndpoint} {
		u, err := url.Parse(endpoint)
		if err != nil || u.Hostname() != "127.0.0.1" {
			t.Errorf("%s: endpoint %s", name, endpoint)
			continue
		}
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			t.Errorf("%s: not on loopback: %v", name, err)
		} else {
			c.Close()
		}
		if c, err := net.DialTimeout("tcp", net.JoinHostPort(other.String(), u.Port()), time.Second); err == nil {
			c.Close()
			t.Errorf("%s answers on %s too", name, other)
		}
	}
}

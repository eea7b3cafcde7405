package samtemplate

import (
	"fmt"
	"strings"
)

// CloudFormation and SAM resource types the local stack knows.
const (
	typeTable          = "AWS::DynamoDB::Table"
	typeSimpleTable    = "AWS::Serverless::SimpleTable"
	typeBucket         = "AWS::S3::Bucket"
	typeFunction       = "AWS::Serverless::Function"
	typeLambdaFunction = "AWS::Lambda::Function"
	typeHTTPAPI        = "AWS::Serverless::HttpApi"
	typeTopic          = "AWS::SNS::Topic"
	typeQueue          = "AWS::SQS::Queue"
)

// rawResource is one entry of the template's Resources, with its Properties
// still unresolved (long-form intrinsics).
type rawResource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	Condition  string
}

// refValue is what !Ref gives for the resource id.
func (t *Template) refValue(id string, depth int) (string, error) {
	res := t.resources[id]
	switch res.Type {
	case typeTable, typeSimpleTable:
		return t.nameProperty(res, "TableName", id, depth)
	case typeBucket:
		return t.nameProperty(res, "BucketName", strings.ToLower(id), depth)
	case typeFunction, typeLambdaFunction:
		return t.nameProperty(res, "FunctionName", id, depth)
	case typeHTTPAPI:
		return strings.ToLower(id), nil
	case typeTopic:
		name, err := t.nameProperty(res, "TopicName", id, depth)
		return t.arn("sns", name), err
	case typeQueue:
		name, err := t.nameProperty(res, "QueueName", id, depth)
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", t.region, t.accountID, name), err
	}
	return id, nil
}

// nameProperty resolves the optional name property prop of res, or returns
// fallback when the template does not set it.
func (t *Template) nameProperty(res rawResource, prop, fallback string, depth int) (string, error) {
	v, ok := res.Properties[prop]
	if !ok {
		return fallback, nil
	}
	r, err := t.resolve(v, depth+1)
	if err != nil {
		return "", wrap(err, prop)
	}
	if r == noValue {
		return fallback, nil
	}
	return scalarString(r)
}

// getAtt is what !GetAtt id.attr gives: plausible local ARNs and names.
func (t *Template) getAtt(id, attr string, depth int) (any, error) {
	res, ok := t.resources[id]
	if !ok {
		return nil, fmt.Errorf("unknown resource %q", id)
	}
	ref, err := t.refValue(id, depth+1)
	if err != nil {
		return nil, err
	}
	switch res.Type + "." + attr {
	case typeTable + ".Arn", typeSimpleTable + ".Arn":
		return t.arn("dynamodb", "table/"+ref), nil
	case typeTable + ".StreamArn":
		return t.arn("dynamodb", "table/"+ref+"/stream/1970-01-01T00:00:00.000"), nil
	case typeBucket + ".Arn":
		return "arn:aws:s3:::" + ref, nil
	case typeBucket + ".DomainName":
		return ref + ".s3.amazonaws.com", nil
	case typeBucket + ".RegionalDomainName":
		return ref + ".s3." + t.region + ".amazonaws.com", nil
	case typeFunction + ".Arn", typeLambdaFunction + ".Arn":
		return t.FunctionARN(ref), nil
	case typeTopic + ".TopicArn":
		return ref, nil
	case typeQueue + ".QueueUrl":
		return ref, nil
	case typeQueue + ".Arn":
		return t.arn("sqs", ref[strings.LastIndexByte(ref, '/')+1:]), nil
	case typeHTTPAPI + ".ApiEndpoint":
		return fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", ref, t.region), nil
	}
	if attr == "Arn" {
		// Something we don't model: an ARN in the service named by the type.
		svc := strings.ToLower(strings.Split(res.Type+"::", "::")[1])
		return t.arn(svc, id), nil
	}
	return nil, fmt.Errorf("attribute %s of %s (%s) is not supported locally", attr, id, res.Type)
}

// arn builds a regional ARN in this template's account.
func (t *Template) arn(service, resource string) string {
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s", service, t.region, t.accountID, resource)
}

// FunctionARN is the local ARN of the function called name.
func (t *Template) FunctionARN(name string) string {
	return t.arn("lambda", "function:"+name)
}

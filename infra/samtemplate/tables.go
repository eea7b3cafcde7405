package samtemplate

import (
	"encoding/json"
	"fmt"
)

// Table is a DynamoDB table of the template (AWS::DynamoDB::Table or
// AWS::Serverless::SimpleTable), with the field names of CloudFormation.
type Table struct {
	LogicalID string
	// Name is TableName when the template sets it, else the logical ID.
	Name                   string
	AttributeDefinitions   []AttributeDefinition
	KeySchema              []KeyElement
	GlobalSecondaryIndexes []SecondaryIndex
	LocalSecondaryIndexes  []SecondaryIndex
	// BillingMode is PAY_PER_REQUEST or PROVISIONED.
	BillingMode           string
	ProvisionedThroughput *Throughput
	// StreamViewType is empty when the table has no stream.
	StreamViewType string
	// TTLAttribute is the time-to-live attribute, empty when TTL is off.
	TTLAttribute string
}

// AttributeDefinition declares a key attribute and its type (S, N or B).
type AttributeDefinition struct {
	AttributeName string
	AttributeType string
}

// KeyElement is one part of a key schema; KeyType is HASH or RANGE.
type KeyElement struct {
	AttributeName string
	KeyType       string
}

// SecondaryIndex is a global or local secondary index.
type SecondaryIndex struct {
	IndexName             string
	KeySchema             []KeyElement
	Projection            Projection
	ProvisionedThroughput *Throughput
}

// Projection says which attributes an index holds: ProjectionType is ALL,
// KEYS_ONLY or INCLUDE (with NonKeyAttributes).
type Projection struct {
	ProjectionType   string
	NonKeyAttributes []string
}

// Throughput is a provisioned capacity.
type Throughput struct {
	ReadCapacityUnits  int64
	WriteCapacityUnits int64
}

// UnmarshalJSON accepts numbers written as numbers or as strings.
func (p *Throughput) UnmarshalJSON(b []byte) error {
	var raw struct{ ReadCapacityUnits, WriteCapacityUnits json.Number }
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var err1, err2 error
	p.ReadCapacityUnits, err1 = raw.ReadCapacityUnits.Int64()
	p.WriteCapacityUnits, err2 = raw.WriteCapacityUnits.Int64()
	if err1 != nil || err2 != nil {
		return fmt.Errorf("ProvisionedThroughput: want whole numbers, got %s", b)
	}
	return nil
}

func (t *Template) parseTable(id string, r rawResource) (Table, error) {
	props, err := t.resolve(r.Properties, 0)
	if err != nil {
		return Table{}, err
	}
	var p struct {
		Table
		TimeToLiveSpecification struct {
			AttributeName string
			Enabled       any
		}
		StreamSpecification struct{ StreamViewType string }
	}
	if err := decode(props, &p); err != nil {
		return Table{}, err
	}
	tbl := p.Table
	tbl.LogicalID = id
	if tbl.Name, err = t.refValue(id, 0); err != nil {
		return Table{}, err
	}
	if ttl := p.TimeToLiveSpecification; ttl.Enabled == true || ttl.Enabled == "true" {
		tbl.TTLAttribute = ttl.AttributeName
	}
	tbl.StreamViewType = p.StreamSpecification.StreamViewType
	if tbl.BillingMode == "" {
		tbl.BillingMode = "PROVISIONED" // the CloudFormation default
	}
	if len(tbl.KeySchema) == 0 {
		return Table{}, fmt.Errorf("KeySchema is missing")
	}
	return tbl, nil
}

// parseSimpleTable maps AWS::Serverless::SimpleTable onto a table with a hash
// key only.
func (t *Template) parseSimpleTable(id string, r rawResource) (Table, error) {
	props, err := t.resolve(r.Properties, 0)
	if err != nil {
		return Table{}, err
	}
	var p struct {
		PrimaryKey            struct{ Name, Type string }
		ProvisionedThroughput *Throughput
	}
	if err := decode(props, &p); err != nil {
		return Table{}, err
	}
	key := p.PrimaryKey
	if key.Name == "" {
		key.Name, key.Type = "id", "String"
	}
	types := map[string]string{"String": "S", "Number": "N", "Binary": "B"}
	tbl := Table{
		LogicalID:             id,
		AttributeDefinitions:  []AttributeDefinition{{key.Name, types[key.Type]}},
		KeySchema:             []KeyElement{{key.Name, "HASH"}},
		BillingMode:           "PAY_PER_REQUEST",
		ProvisionedThroughput: p.ProvisionedThroughput,
	}
	if p.ProvisionedThroughput != nil {
		tbl.BillingMode = "PROVISIONED"
	}
	tbl.Name, err = t.refValue(id, 0)
	return tbl, err
}

// decode copies a resolved property value into a struct whose field names
// match CloudFormation's (encoding/json matches them case-insensitively).
func decode(v any, into any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

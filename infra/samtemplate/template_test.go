package samtemplate

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/localparams"
)

func load(t *testing.T, path string, opts Options) *Template {
	t.Helper()
	tmpl, err := Load(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestTestdataTables(t *testing.T) {
	tmpl := load(t, "testdata/template.yaml", Options{})
	if len(tmpl.Tables) != 2 {
		t.Fatalf("tables: got %d, want 2 (Counters and Items)", len(tmpl.Tables))
	}
	items := tmpl.Table("Items")
	want := Table{
		LogicalID: "Items",
		Name:      "items-dev",
		AttributeDefinitions: []AttributeDefinition{
			{"pk", "S"}, {"sk", "S"}, {"byDate", "N"},
		},
		KeySchema: []KeyElement{{"pk", "HASH"}, {"sk", "RANGE"}},
		GlobalSecondaryIndexes: []SecondaryIndex{{
			IndexName:             "bySk",
			KeySchema:             []KeyElement{{"sk", "HASH"}},
			Projection:            Projection{"INCLUDE", []string{"title"}},
			ProvisionedThroughput: &Throughput{1, 1},
		}},
		LocalSecondaryIndexes: []SecondaryIndex{{
			IndexName:  "byDate",
			KeySchema:  []KeyElement{{"pk", "HASH"}, {"byDate", "RANGE"}},
			Projection: Projection{ProjectionType: "KEYS_ONLY"},
		}},
		BillingMode:           "PROVISIONED",
		ProvisionedThroughput: &Throughput{7, 3},
		StreamViewType:        "NEW_IMAGE",
		TTLAttribute:          "ttl",
	}
	if !reflect.DeepEqual(*items, want) {
		t.Errorf("Items:\n got %+v\nwant %+v", *items, want)
	}
	counters := tmpl.Table("Counters")
	if counters.Name != "Counters" || counters.KeySchema[0] != (KeyElement{"id", "HASH"}) ||
		counters.AttributeDefinitions[0] != (AttributeDefinition{"id", "S"}) || counters.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("Counters: got %+v", *counters)
	}
}

func TestTestdataBucketsAndConditions(t *testing.T) {
	tmpl := load(t, "testdata/template.yaml", Options{})
	want := []Bucket{{"Named", "named-dev-b"}, {"Uploads", "uploads"}}
	if !reflect.DeepEqual(tmpl.Buckets, want) {
		t.Errorf("buckets: got %v, want %v", tmpl.Buckets, want)
	}
	prod := load(t, "testdata/template.yaml", Options{Parameters: map[string]string{"Stage": "prod", "Unknown": "x"}})
	var names []string
	for _, b := range prod.Buckets {
		names = append(names, b.Name)
	}
	if got := strings.Join(names, ","); got != "named-prod-b,prodonly,uploads" {
		t.Errorf("prod buckets: got %s", got)
	}
	if prod.Table("Counters") != nil {
		t.Error("Counters exists although its condition IsDev is false")
	}
}

func TestTestdataFunction(t *testing.T) {
	tmpl := load(t, "testdata/template.yaml", Options{Region: "eu-west-1", AccountID: "111122223333", StackName: "demo"})
	fn := tmpl.Function("ApiFunction")
	if fn == nil {
		t.Fatal("no ApiFunction")
	}
	if fn.Name != "ApiFunction" || fn.CodeURI != "fn/api" || fn.Handler != "bootstrap" || fn.Runtime != "provided.al2023" ||
		fn.Timeout != 2*time.Second || fn.MemorySize != 512 || !reflect.DeepEqual(fn.Architectures, []string{"arm64"}) {
		t.Errorf("ApiFunction: got %+v", *fn)
	}
	arn := "arn:aws:dynamodb:eu-west-1:111122223333:table/items-dev"
	wantEnv := map[string]string{
		"STAGE":          "dev",
		"TABLE":          "local-override",
		"TABLE_ARN":      arn,
		"TABLE_ARN_LONG": arn,
		"INDEX_ARN":      arn + "/index/*",
		"BUCKET":         "uploads",
		"NAMED":          "named-dev-b",
		"LITERAL":        "${NotResolved}-eu-west-1",
		"ENCODED":        "aGk=",
		"MODE":           "development",
		"BOTH":           "yes",
		"SUBVARS":        "dev@example.org",
	}
	if !reflect.DeepEqual(fn.Environment, wantEnv) {
		t.Errorf("environment:\n got %v\nwant %v", fn.Environment, wantEnv)
	}
	auth := tmpl.Function("AuthFunction")
	if auth.Name != "demo-auth" || auth.Timeout != 10*time.Second || auth.MemorySize != 128 {
		t.Errorf("AuthFunction: got %+v", *auth)
	}
	if !reflect.DeepEqual(auth.Environment, map[string]string{"STAGE": "dev", "TABLE": "items-dev"}) {
		t.Errorf("AuthFunction environment: got %v", auth.Environment)
	}
}

func TestTestdataEvents(t *testing.T) {
	tmpl := load(t, "testdata/template.yaml", Options{})
	fn := tmpl.Function("ApiFunction")
	var types []string
	for _, e := range fn.Events {
		types = append(types, e.Name+":"+e.Type)
	}
	if got := strings.Join(types, " "); got != "Files:HttpApi Get:HttpApi Implicit:HttpApi List:HttpApi Nightly:Schedule Topic:SNS" {
		t.Errorf("events: got %s", got)
	}
	nightly := fn.Events[4]
	props, err := tmpl.Resolve(nightly.Properties)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Schedule": "rate(1 day)", "Input": `{"table": "items-dev"}`}
	if !reflect.DeepEqual(props, want) {
		t.Errorf("Nightly properties: got %v, want %v", props, want)
	}
	if _, err := tmpl.Resolve(fn.Events[5].Properties); err == nil || !strings.Contains(err.Error(), "SomeTopic") {
		t.Errorf("resolving a reference to a missing resource: got error %v", err)
	}
}

func TestTestdataRoutes(t *testing.T) {
	tmpl := load(t, "testdata/template.yaml", Options{})
	var got []string
	for _, r := range tmpl.Routes {
		auth := "public"
		if r.Authorizer != nil {
			auth = r.Authorizer.Name
		}
		got = append(got, r.Key()+" "+r.API+" "+auth+" "+r.Timeout.String())
	}
	want := []string{
		"ANY /files/{proxy+} Api Other 30s",
		"GET /items Api Lambda 30s",
		"GET /items/{id} Api public 5s",
		"POST /implicit ServerlessHttpApi Lambda 30s",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("routes:\n got %q\nwant %q", got, want)
	}
	lambda := tmpl.Routes[1].Authorizer
	if lambda.Function != "AuthFunction" || !lambda.SimpleResponses || lambda.PayloadFormatVersion != "2.0" ||
		!reflect.DeepEqual(lambda.IdentityHeaders, []string{"Authorization"}) {
		t.Errorf("authorizer Lambda: got %+v", *lambda)
	}
	other := tmpl.Routes[0].Authorizer
	if other.Function != "AuthFunction" || other.SimpleResponses || other.ReauthorizeEvery != 5*time.Minute ||
		!reflect.DeepEqual(other.IdentityHeaders, []string{"X-Api-Key"}) || !reflect.DeepEqual(other.IdentityQueryStrings, []string{"key"}) {
		t.Errorf("authorizer Other: got %+v", *other)
	}
}

// TestRepositoryTemplate reads the project's own template.yaml.
func TestRepositoryTemplate(t *testing.T) {
	tmpl := load(t, "../../template.yaml", Options{Parameters: localparams.With(map[string]string{"PublicBaseUrl": "http://127.0.0.1:4321"})})
	table := tmpl.Table("DataTable")
	if table == nil {
		t.Fatal("no DataTable")
	}
	if table.Name != "DataTable" || table.TTLAttribute != "expiresAt" || table.BillingMode != "PAY_PER_REQUEST" ||
		len(table.GlobalSecondaryIndexes) != 2 || table.GlobalSecondaryIndexes[0].IndexName != "gsi1" ||
		table.GlobalSecondaryIndexes[1].IndexName != "gsi2" ||
		table.GlobalSecondaryIndexes[0].Projection.ProjectionType != "ALL" || table.GlobalSecondaryIndexes[1].Projection.ProjectionType != "ALL" {
		t.Errorf("DataTable: got %+v", *table)
	}
	if len(tmpl.Buckets) != 1 || tmpl.Buckets[0] != (Bucket{"FilesBucket", "filesbucket"}) {
		t.Errorf("buckets: got %v", tmpl.Buckets)
	}
	users := tmpl.Function("UsersFunction")
	if users == nil {
		t.Fatal("no UsersFunction")
	}
	if users.CodeURI != "functions/users" || users.Timeout != 15*time.Second || users.MemorySize != 256 {
		t.Errorf("UsersFunction: got %+v", *users)
	}
	wantEnv := map[string]string{
		"TABLE_NAME":      "DataTable",
		"FILES_BUCKET":    "filesbucket",
		"MAIL_FROM":       "no-reply@caseflow.local",
		"PUBLIC_BASE_URL": "http://127.0.0.1:4321",
	}
	for k, v := range wantEnv {
		if users.Environment[k] != v {
			t.Errorf("UsersFunction %s: got %q, want %q", k, users.Environment[k], v)
		}
	}
	routes := map[string]*Route{}
	for i, r := range tmpl.Routes {
		routes[r.Key()] = &tmpl.Routes[i]
	}
	login := routes["POST /api/v1/users/login"]
	if login == nil || login.Authorizer != nil || login.Function != "UsersFunction" {
		t.Errorf("login route: got %+v", login)
	}
	about := routes["GET /api/v1/about"]
	if about == nil || about.Authorizer == nil || about.Authorizer.Function != "AuthorizerFunction" ||
		!about.Authorizer.SimpleResponses || about.Authorizer.IdentityHeaders[0] != "Authorization" {
		t.Errorf("about route: got %+v", about)
	}
	if org := routes["GET /api/v1/{organizationKey}"]; org == nil || org.Function != "OrganizationsFunction" {
		t.Errorf("organization route: got %+v", org)
	}
}

func TestResolveErrors(t *testing.T) {
	cases := map[string]string{
		"missing parameter value": "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: x\n      Environment: {Variables: {A: !Ref Secret}}\nParameters:\n  Secret: {Type: String}\n",
		"unknown reference":       "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: x\n      Environment: {Variables: {A: !Sub '${Nope}'}}\n",
		"cycle":                   "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: !Ref T\n      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n",
		"unsupported function":    "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: x\n      Environment: {Variables: {A: !ImportValue other}}\n",
		"unknown authorizer":      "Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: x\n      Events: {E: {Type: HttpApi, Properties: {Path: /, Method: GET, Auth: {Authorizer: Nope}}}}\n",
	}
	for name, src := range cases {
		if _, err := Parse([]byte(src), Options{}); err == nil {
			t.Errorf("%s: no error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestRewriteForBuild(t *testing.T) {
	src := []byte(`# heading comment
Resources:
  A:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: functions/a
      Environment: {Variables: {T: !Ref Table}}
  B:
    Type: AWS::Serverless::Function
    Metadata: {BuildMethod: go1.x, Other: kept}
    Properties:
      CodeUri: functions/b
      Policies:
        - Statement: [{Resource: !GetAtt [Table, Arn]}]
`)
	out, err := RewriteForBuild(src, map[string]string{"A": "A", "B": "B"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"# heading comment", "CodeUri: A\n", "CodeUri: B\n", "Other: kept", "!Ref Table", "!GetAtt [Table, Arn]"} {
		if !strings.Contains(s, want) {
			t.Errorf("rewritten template lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "BuildMethod") || strings.Count(s, "Metadata") != 1 {
		t.Errorf("BuildMethod or an empty Metadata left:\n%s", s)
	}
	if _, err := RewriteForBuild(src, map[string]string{"Missing": "x"}); err == nil {
		t.Error("rewriting a missing function: no error")
	}
}

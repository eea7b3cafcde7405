package samtemplate

import (
	"os"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDeploymentDefaultsAreSafe reads the project's template as
// CloudFormation will: a `sam deploy --guided` that keeps every default
// gets no public secret and no localhost link (the secrets and the base
// URL have no default; secrets are NoEcho and 32+ characters), keeps the
// table and the bucket when the stack goes, keeps every function's logs
// for LogRetentionDays, and sends failed asynchronous invocations (the
// schedule, SES, SNS) to a dead-letter queue.
func TestDeploymentDefaultsAreSafe(t *testing.T) {
	raw, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	root, err := toValue(doc.Content[0])
	if err != nil {
		t.Fatal(err)
	}
	params := mapOf(mapOf(root)["Parameters"])
	for _, name := range []string{"MailWebhookSecret", "PasskeySecret", "TotpKey", "ServiceCredentialsKey"} {
		p := mapOf(params[name])
		if len(p) == 0 {
			t.Errorf("no parameter %s", name)
			continue
		}
		if _, ok := p["Default"]; ok {
			t.Errorf("%s has a default", name)
		}
		if p["NoEcho"] != true || p["MinLength"] == nil {
			t.Errorf("%s: NoEcho %v MinLength %v", name, p["NoEcho"], p["MinLength"])
		}
	}
	if _, ok := mapOf(params["PublicBaseUrl"])["Default"]; ok {
		t.Errorf("PublicBaseUrl has a default")
	}
	res := mapOf(mapOf(root)["Resources"])
	for _, name := range []string{"DataTable", "FilesBucket"} {
		r := mapOf(res[name])
		if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
			t.Errorf("%s: DeletionPolicy %v UpdateReplacePolicy %v", name, r["DeletionPolicy"], r["UpdateReplacePolicy"])
		}
	}
	logGroups := map[string]bool{}
	for _, v := range res {
		r := mapOf(v)
		if r["Type"] != "AWS::Logs::LogGroup" {
			continue
		}
		props := mapOf(r["Properties"])
		name := strings.TrimSuffix(strings.TrimPrefix(stringOfSub(props["LogGroupName"]), "/aws/lambda/${"), "}")
		if props["RetentionInDays"] == nil {
			t.Errorf("log group %s keeps logs forever", name)
		}
		logGroups[name] = true
	}
	// Functions SES invokes asynchronously (a receipt rule's LambdaAction).
	sesInvoked := map[string]bool{}
	for _, v := range res {
		r := mapOf(v)
		if r["Type"] != "AWS::SES::ReceiptRule" {
			continue
		}
		for _, a := range listOf(mapOf(mapOf(r["Properties"])["Rule"])["Actions"]) {
			if la := mapOf(mapOf(a)["LambdaAction"]); la != nil {
				if ref, ok := mapOf(la["FunctionArn"])["Fn::GetAtt"].(string); ok {
					sesInvoked[strings.TrimSuffix(ref, ".Arn")] = true
				} else if refs, ok := mapOf(la["FunctionArn"])["Fn::GetAtt"].([]any); ok && len(refs) > 0 {
					sesInvoked[refs[0].(string)] = true
				}
			}
		}
	}
	if len(sesInvoked) == 0 {
		t.Error("no function is invoked by an SES receipt rule")
	}
	for id, v := range res {
		r := mapOf(v)
		if r["Type"] != "AWS::Serverless::Function" {
			continue
		}
		if !logGroups[id] {
			t.Errorf("%s has no log group with a retention", id)
		}
		props := mapOf(r["Properties"])
		async := sesInvoked[id]
		for _, e := range mapOf(props["Events"]) {
			switch mapOf(e)["Type"] {
			case "Schedule", "SNS", "S3", "SQS":
				async = true
			}
		}
		if async && props["DeadLetterQueue"] == nil {
			t.Errorf("%s is invoked asynchronously but has no DeadLetterQueue", id)
		}
	}
}

// stringOfSub is the string of a !Sub (its long form) or a plain string.
func stringOfSub(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if s, ok := mapOf(v)["Fn::Sub"].(string); ok {
		return s
	}
	return ""
}

// listOf is v as a list, nil for anything else.
func listOf(v any) []any {
	l, _ := v.([]any)
	return l
}

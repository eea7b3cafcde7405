package local

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/infra/samtemplate"
)

func TestSchedules(t *testing.T) {
	parse := func(events string) ([]Schedule, error) {
		tmpl, err := samtemplate.Parse([]byte(`
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Events:
`+events), samtemplate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return Schedules(tmpl)
	}
	got, err := parse(`        Often: {Type: Schedule, Properties: {Schedule: rate(5 minutes)}}
        Daily: {Type: Schedule, Properties: {Schedule: rate(1 day), Input: '{"job":"daily"}'}}
        Api: {Type: HttpApi, Properties: {Method: GET, Path: /x}}
`)
	if err != nil || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	byName := map[string]Schedule{got[0].Name: got[0], got[1].Name: got[1]}
	if s := byName["Often"]; s.Every != 5*time.Minute || !strings.Contains(string(s.Event), `"detail-type":"Scheduled Event"`) || !strings.Contains(string(s.Event), "rule/FnOften") {
		t.Errorf("Often: %+v %s", s, s.Event)
	}
	if s := byName["Daily"]; s.Every != 24*time.Hour || string(s.Event) != `{"job":"daily"}` {
		t.Errorf("Daily: %+v %s", s, s.Event)
	}
	for _, bad := range []string{"cron(0 12 * * ? *)", "rate(0 minutes)", "rate(1 fortnight)", "every minute"} {
		if _, err := parse("        Bad: {Type: Schedule, Properties: {Schedule: \"" + bad + "\"}}\n"); err == nil || !strings.Contains(err.Error(), "Fn.Bad") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestRunSchedulesInvokesAtTheRate(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	invoke := func(_ context.Context, fn string, ev []byte) ([]byte, error) {
		mu.Lock()
		defer mu.Unlock()
		calls[fn+":"+string(ev)]++
		if fn == "Failing" {
			return nil, errors.New("boom")
		}
		return nil, nil
	}
	var log bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	runSchedules(ctx, []Schedule{
		{Function: "Fast", Name: "E", Every: 20 * time.Millisecond, Event: []byte("{}")},
		{Function: "Failing", Name: "F", Every: 50 * time.Millisecond, Event: []byte("{}")},
		{Function: "Slow", Name: "G", Every: time.Hour, Event: []byte("{}")},
	}, invoke, &log)
	mu.Lock()
	defer mu.Unlock()
	if calls["Fast:{}"] < 5 || calls["Failing:{}"] < 2 || calls["Slow:{}"] != 0 {
		t.Fatalf("calls %v", calls)
	}
	if !strings.Contains(log.String(), "[schedule] Failing.F: boom") {
		t.Fatalf("log %q", log.String())
	}
}

package main

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

func TestDeliveryEvent(t *testing.T) {
	raw, err := os.ReadFile("../../events/invitationdelivery-ses-delivery.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SNSEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	e, ok := deliveryEvent(ev.Records[0])
	want := time.Date(2026, 11, 22, 16, 0, 1, 0, time.UTC)
	if !ok || e.Type != "Delivery" || e.SESMessageID != "sample-ses-message-unknown" || !e.Time.Equal(want) {
		t.Fatalf("delivery event %+v, want the delivery's own time %v", e, want)
	}

	for name, c := range map[string]struct {
		message, typ, detail string
		at                   time.Time
	}{
		"bounce":            {`{"eventType":"Bounce","mail":{"messageId":"m"},"bounce":{"bounceType":"Permanent","bounceSubType":"General","timestamp":"2026-01-02T03:04:05.5Z"}}`, "Bounce", "Permanent/General", time.Date(2026, 1, 2, 3, 4, 5, 5e8, time.UTC)},
		"complaint":         {`{"notificationType":"Complaint","mail":{"messageId":"m"},"complaint":{"complaintFeedbackType":"abuse","timestamp":"2026-01-02T03:04:05Z"}}`, "Complaint", "abuse", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		"no own time":       {`{"eventType":"Delivery","mail":{"messageId":"m"}}`, "Delivery", "", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
		"unknown type kept": {`{"eventType":"Open","mail":{"messageId":"m"}}`, "Open", "", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(name, func(t *testing.T) {
			rec := events.SNSEventRecord{SNS: events.SNSEntity{Message: c.message, Timestamp: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}}
			e, ok := deliveryEvent(rec)
			if !ok || e.Type != c.typ || e.Detail != c.detail || !e.Time.Equal(c.at) {
				t.Fatalf("%+v", e)
			}
		})
	}
	if _, ok := deliveryEvent(events.SNSEventRecord{SNS: events.SNSEntity{Message: "not json"}}); ok {
		t.Fatal("a message that is not JSON was read")
	}
}

package main

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestDelivery(t *testing.T) {
	raw, err := os.ReadFile("../../events/mailintake-ses-receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	rec := ev.Records[0]
	d, ok := delivery(rec, "inbox/")
	if !ok || d.ID != rec.SES.Mail.MessageID || d.Source != "inbox/"+rec.SES.Mail.MessageID || len(d.Recipients) == 0 || d.Authentication == nil {
		t.Fatalf("delivery %+v", d)
	}
	rec.SES.Receipt.SpamVerdict.Status = "FAIL"
	rec.SES.Receipt.Recipients = []string{"A@x.example", "a@x.example"}
	if d, _ := delivery(rec, ""); !d.SpamFail || len(d.Recipients) != 1 {
		t.Fatalf("a spam verdict of FAIL and repeated recipients: %+v", d)
	}
	rec.SES.Mail.MessageID = ""
	if _, ok := delivery(rec, ""); ok {
		t.Fatal("a record without a message id was read")
	}
}

package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// sesNotification is what SES publishes about a sent mail to SNS: event
// publishing writes eventType, the older notifications notificationType.
type sesNotification struct {
	EventType        string `json:"eventType"`
	NotificationType string `json:"notificationType"`
	Mail             struct {
		MessageID string `json:"messageId"`
	} `json:"mail"`
	Delivery struct {
		Timestamp time.Time `json:"timestamp"`
	} `json:"delivery"`
	Bounce struct {
		BounceType    string    `json:"bounceType"`
		BounceSubType string    `json:"bounceSubType"`
		Timestamp     time.Time `json:"timestamp"`
	} `json:"bounce"`
	Complaint struct {
		FeedbackType string    `json:"complaintFeedbackType"`
		Timestamp    time.Time `json:"timestamp"`
	} `json:"complaint"`
}

// eventTime is when the notification's event happened by its own account:
// the delivery's, bounce's or complaint's timestamp, else SNS's publish
// time (the zero time when neither is given).
func (n sesNotification) eventTime(typ string, published time.Time) time.Time {
	t := map[string]time.Time{"Delivery": n.Delivery.Timestamp, "Bounce": n.Bounce.Timestamp, "Complaint": n.Complaint.Timestamp}[typ]
	if t.IsZero() {
		return published
	}
	return t
}

// deliveryEvent reads one SNS record as the core's DeliveryEvent; it
// reports false for a message that is not JSON.
func deliveryEvent(rec events.SNSEventRecord) (identity.DeliveryEvent, bool) {
	var n sesNotification
	if err := json.Unmarshal([]byte(rec.SNS.Message), &n); err != nil {
		return identity.DeliveryEvent{}, false
	}
	typ := n.EventType
	if typ == "" {
		typ = n.NotificationType
	}
	detail := n.Bounce.BounceType
	if n.Bounce.BounceSubType != "" {
		detail += "/" + n.Bounce.BounceSubType
	}
	if typ == "Complaint" {
		detail = n.Complaint.FeedbackType
	}
	return identity.DeliveryEvent{SESMessageID: n.Mail.MessageID, Type: typ, Detail: detail, Time: n.eventTime(typ, rec.SNS.Timestamp)}, true
}

// deliveryHandler returns the handler of the function that SES delivery,
// bounce and complaint notifications reach through SNS. Notifications that
// are not about an invitation's latest mail, or are repeated, change
// nothing, and so do notifications older than the status recorded (SNS
// does not keep order); malformed ones are logged and dropped (retrying
// cannot mend them).
func deliveryHandler(s *identity.Service) func(context.Context, events.SNSEvent) error {
	return func(ctx context.Context, ev events.SNSEvent) error {
		for _, rec := range ev.Records {
			e, ok := deliveryEvent(rec)
			if !ok {
				slog.WarnContext(ctx, "SES notification dropped: not JSON", "snsMessageId", rec.SNS.MessageID)
				continue
			}
			changed, err := s.RecordDelivery(ctx, e)
			if err != nil {
				return err
			}
			slog.InfoContext(ctx, "SES notification", "type", e.Type, "sesMessageId", e.SESMessageID, "changed", changed)
		}
		return nil
	}
}

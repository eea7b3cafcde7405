package identity

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
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

// DeliveryHandler returns the handler of the function that SES delivery,
// bounce and complaint notifications reach through SNS. Notifications that
// are not about an invitation's latest mail, or are repeated, change
// nothing, and so do notifications older than the status recorded (SNS
// does not keep order); malformed ones are logged and dropped (retrying
// cannot mend them).
func DeliveryHandler(s *Service) func(context.Context, events.SNSEvent) error {
	return func(ctx context.Context, ev events.SNSEvent) error {
		for _, rec := range ev.Records {
			var n sesNotification
			if err := json.Unmarshal([]byte(rec.SNS.Message), &n); err != nil {
				slog.WarnContext(ctx, "SES notification dropped: not JSON", "snsMessageId", rec.SNS.MessageID)
				continue
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
			changed, err := s.RecordDelivery(ctx, DeliveryEvent{SESMessageID: n.Mail.MessageID, Type: typ, Detail: detail, Time: n.eventTime(typ, rec.SNS.Timestamp)})
			if err != nil {
				return err
			}
			slog.InfoContext(ctx, "SES notification", "type", typ, "sesMessageId", n.Mail.MessageID, "changed", changed)
		}
		return nil
	}
}

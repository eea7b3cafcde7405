package work

import (
	"time"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/effektif"
)

// Email is the Effektif Email model.
type Email struct {
	ID             string              `json:"id"`
	OrganizationID string              `json:"organizationId"`
	Headers        map[string][]string `json:"headers,omitempty"`
	AttachmentIDs  []string            `json:"attachmentIds"`
	From           []string            `json:"from"`
	FromName       string              `json:"fromName,omitempty"`
	To             []string            `json:"to"`
	Cc             []string            `json:"cc"`
	Bcc            []string            `json:"bcc"`
	ReplyTo        []string            `json:"replyTo"`
	Subject        string              `json:"subject"`
	BodyText       string              `json:"bodyText,omitempty"`
	BodyHTML       string              `json:"bodyHtml,omitempty"`
	Preview        string              `json:"preview,omitempty"`
	Source         string              `json:"source,omitempty"`
	SendDate       *time.Time          `json:"sendDate,omitempty"`
}

func emailOf(e casework.Email) Email {
	return Email{
		ID: e.ID, OrganizationID: e.OrganizationID, Headers: e.Headers, AttachmentIDs: effektif.OrEmpty(e.AttachmentIDs),
		From: effektif.OrEmpty(e.From), FromName: e.FromName, To: effektif.OrEmpty(e.To), Cc: effektif.OrEmpty(e.Cc), Bcc: effektif.OrEmpty(e.Bcc),
		ReplyTo: effektif.OrEmpty(e.ReplyTo), Subject: e.Subject, BodyText: e.BodyText, BodyHTML: e.BodyHTML,
		Preview: e.Preview, Source: e.Source, SendDate: timePtr(e.SendDate),
	}
}

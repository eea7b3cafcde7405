package casework

import (
	"context"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// Email is a received mail: its headers and bodies, the files made of its
// attachments, and the task or case it went to. Source is the key of the
// raw message in S3. BodyHTML is stored as received: it must be sanitized
// before it is shown.
type Email struct {
	ID             string
	OrganizationID string
	MessageID      string
	Headers        map[string][]string
	From           []string
	FromName       string
	To, Cc, Bcc    []string
	ReplyTo        []string
	Subject        string
	BodyText       string
	BodyHTML       string
	Preview        string
	SendDate       time.Time
	AttachmentIDs  []string
	Source         string
	TaskID         string
	CaseID         string
	Received       time.Time
}

// EventMail is the case event of a mail added to the case.
const EventMail = "mail"

// TaskMail returns a mail that a task came from or received. Permission:
// members. Errors: NotFound (task, mail, or a mail of another task).
func (s *Service) TaskMail(ctx context.Context, a identity.Access, taskID, mailID string) (Email, error) {
	org := a.Organization
	t, err := s.taskByID(ctx, org.ID, taskID)
	if err != nil {
		return Email{}, err
	}
	if !ids.Valid(mailID) {
		return Email{}, failure.New(failure.NotFound, "no such mail")
	}
	m, err := s.Store.GetEmail(ctx, org.ID, mailID)
	if err != nil {
		return Email{}, err
	}
	if m.TaskID != t.ID {
		return Email{}, failure.New(failure.NotFound, "no such mail of this task")
	}
	return m, nil
}

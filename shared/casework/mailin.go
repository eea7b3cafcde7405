package casework

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// InboundMail is a received mail to file: the Email (without id) and its
// attachments.
type InboundMail struct {
	Email       Email
	Attachments []Upload
}

// Where an inbound mail goes.
const (
	MailToTask     = "task"     // a new task in the organization
	MailToWorkflow = "workflow" // starts the workflow (an editor workflow id): a new case
	MailToCase     = "case"     // added to the case
	MailToOpenTask = "openTask" // added to the task
)

// MailTarget says where an inbound mail goes.
type MailTarget struct {
	Kind string
	ID   string
}

// MailOutcome is what filing a mail produced.
type MailOutcome struct {
	MailID             string `json:"mailId"`
	TaskID             string `json:"taskId,omitempty"`
	CaseID             string `json:"caseId,omitempty"`
	WorkflowInstanceID string `json:"workflowInstanceId,omitempty"`
	// Repeated is true when the mail had been filed before (a redelivery).
	Repeated bool `json:"repeated,omitempty"`
}

// MaxMailText bounds the description of a task made from a mail.
const MaxMailText = 10000

// FileMail files a received mail in an organization: the mail, its
// attachments as files and what the target asks for (a task, a started
// workflow with its case, an event in a case or task) are written in one
// transaction together with the once-mark key, so a mail delivered twice
// is filed once (the second call answers the first outcome, Repeated).
// senderID is the sending member, "" for someone outside the organization,
// who may only start workflows with an email trigger. Errors: Forbidden
// (an outside sender), NotFound (unknown target), Conflict (closed case or
// completed task), and the errors of starting a workflow.
func (s *Service) FileMail(ctx context.Context, org identity.Organization, senderID string, m InboundMail, target MailTarget, once string) (MailOutcome, error) {
	if prev, err := s.Store.OnceResult(ctx, once); err == nil {
		return repeated(prev)
	} else if !failure.Is(err, failure.NotFound) {
		return MailOutcome{}, err
	}
	now := s.now()
	mail := m.Email
	mail.ID, mail.OrganizationID, mail.Received = ids.New(), org.ID, now
	out := MailOutcome{MailID: mail.ID}
	p := s.newProgress(ctx, org.ID, senderID)
	caseID := ""
	switch target.Kind {
	case MailToTask:
		if senderID == "" {
			return MailOutcome{}, failure.New(failure.Forbidden, "only members may mail tasks into the organization")
		}
		t := Task{ID: ids.New(), OrganizationID: org.ID, Name: mailSubject(mail), Description: truncate(mail.BodyText, MaxMailText),
			CreatorID: senderID, CreateTime: now, LastUpdated: now, ParticipantIDs: []string{senderID}, Version: 1}
		p.ch.Tasks = append(p.ch.Tasks, TaskWrite{Task: t, New: true})
		mail.TaskID, out.TaskID = t.ID, t.ID
	case MailToWorkflow:
		v, err := s.resolveVersion(ctx, org.ID, "", target.ID, new(editorRead))
		if err != nil {
			return MailOutcome{}, err
		}
		if senderID == "" && (v.Definition.Trigger == nil || v.Definition.Trigger.Type != workflow.EmailTrigger) {
			return MailOutcome{}, failure.New(failure.Forbidden, "the workflow takes mail from members only")
		}
		caseID = ids.New()
		emailID, _ := json.Marshal(mail.ID)
		tr, err := p.start(v, engine.Trigger{Data: map[string]json.RawMessage{"emailId": emailID}, CaseID: caseID}, 0)
		if err != nil {
			return MailOutcome{}, err
		}
		p.cases[caseID].c.Name = mailSubject(mail)
		out.WorkflowInstanceID, out.CaseID = tr.rec.Instance.ID, caseID
	case MailToCase:
		if senderID == "" {
			return MailOutcome{}, failure.New(failure.Forbidden, "only members may mail into a case")
		}
		c, err := s.caseByID(ctx, org.ID, target.ID)
		if err != nil {
			return MailOutcome{}, err
		}
		if c.Closed {
			return MailOutcome{}, failure.New(failure.Conflict, "the case is closed")
		}
		caseID, out.CaseID = c.ID, c.ID
	case MailToOpenTask:
		if senderID == "" {
			return MailOutcome{}, failure.New(failure.Forbidden, "only members may mail into a task")
		}
		t, err := s.taskByID(ctx, org.ID, target.ID)
		if err != nil {
			return MailOutcome{}, err
		}
		if !t.Open() {
			return MailOutcome{}, failure.New(failure.Conflict, "the task is completed or canceled")
		}
		mail.TaskID, out.TaskID, caseID, out.CaseID = t.ID, t.ID, t.CaseID, t.CaseID
	default:
		return MailOutcome{}, failure.Field("target", "unknown mail target %q", target.Kind)
	}
	mail.CaseID = caseID
	if caseID != "" {
		p.ch.Events = append(p.ch.Events, s.event(caseID, EventMail, "mailed "+quote(mailSubject(mail)), senderID, mail.TaskID, map[string]string{"mailId": mail.ID}))
	}
	keys, err := s.storeAttachments(ctx, org.ID, senderID, &mail, m.Attachments, &p.ch)
	if err != nil {
		return MailOutcome{}, err
	}
	result, _ := json.Marshal(out)
	p.ch.Emails = append(p.ch.Emails, mail)
	p.ch.Once = append(p.ch.Once, OnceMark{Key: once, Result: string(result)})
	if err := p.commit(); err != nil {
		for _, k := range keys {
			_ = s.Files.Delete(ctx, k)
		}
		if errors.Is(err, ErrDone) {
			prev, rerr := s.Store.OnceResult(ctx, once)
			if rerr != nil {
				return MailOutcome{}, rerr
			}
			return repeated(prev)
		}
		return MailOutcome{}, err
	}
	return out, nil
}

func repeated(result string) (MailOutcome, error) {
	var out MailOutcome
	if err := json.Unmarshal([]byte(result), &out); err != nil {
		return MailOutcome{}, failure.Wrap(err, "read the earlier outcome")
	}
	out.Repeated = true
	return out, nil
}

// storeAttachments puts the attachments' bytes to S3 and adds their
// metadata to ch; it returns the object keys (to remove if the commit fails).
func (s *Service) storeAttachments(ctx context.Context, orgID, ownerID string, mail *Email, atts []Upload, ch *Changes) ([]string, error) {
	var keys []string
	for _, a := range atts {
		if len(a.Data) == 0 {
			continue
		}
		f := File{ID: ids.New(), OrganizationID: orgID, Name: CleanFileName(a.Name), ContentType: a.ContentType,
			Size: int64(len(a.Data)), OwnerID: ownerID, MailID: mail.ID, CaseID: mail.CaseID, Created: s.now(), Version: 1}
		if f.ContentType == "" {
			f.ContentType = "application/octet-stream"
		}
		key := FileKey(orgID, f.ID)
		if err := s.Files.Put(ctx, key, f.ContentType, a.Data); err != nil {
			for _, k := range keys {
				_ = s.Files.Delete(ctx, k)
			}
			return nil, failure.Wrap(err, "store an attachment")
		}
		keys = append(keys, key)
		ch.Files = append(ch.Files, FileWrite{File: f, New: true})
		mail.AttachmentIDs = append(mail.AttachmentIDs, f.ID)
	}
	return keys, nil
}

func mailSubject(m Email) string {
	if s := strings.TrimSpace(m.Subject); s != "" {
		return truncate(s, identity.MaxNameLength)
	}
	return "(no subject)"
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

package casework

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"

	"github.com/effektif-serverless/caseflow/shared/engine"
	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
	"github.com/effektif-serverless/caseflow/shared/workflow"
)

// People of an organization in tasks, cases and workflow definitions.
//
// Rule: every user id a task, a case or a workflow version names (assignee,
// candidates, participants, mail recipients, role candidates, user
// variables' defaults) is a member of the organization, and every group id
// (candidate groups, mail recipient groups) is one of its groups. Members
// and groups are checked in bounded batch reads (MembersAmong, GroupsAmong),
// never one read per id.

// Bounds of the people checks.
const (
	// MaxCandidateGroups bounds a task's candidate groups.
	MaxCandidateGroups = 20
	// MaxWorkflowPeople bounds the distinct user ids, and separately the
	// distinct group ids, that one workflow definition names as constants.
	MaxWorkflowPeople = 200
)

// IssueNotMember is the issue type of a workflow element naming a user who
// is not a member of the organization, or a group that is not one of its
// groups.
const IssueNotMember = "notAMember"

// checkGroups returns an Invalid failure naming field when one of the ids
// is not a group of the organization (one batch read).
func (s *Service) checkGroups(ctx context.Context, orgID, field string, groupIDs []string) error {
	if len(groupIDs) == 0 {
		return nil
	}
	for _, id := range groupIDs {
		if !ids.Valid(id) {
			return failure.Field(field, "group %q is not a group of this organization", shorten(id))
		}
	}
	groups, err := s.Store.GroupsAmong(ctx, orgID, groupIDs)
	if err != nil {
		return err
	}
	for _, id := range groupIDs {
		if !groups[id] {
			return failure.Field(field, "group %q is not a group of this organization", id)
		}
	}
	return nil
}

// checkUsers is identity's CheckMembers, with the shape of each id checked
// before it becomes a key.
func (s *Service) checkUsers(ctx context.Context, orgID, field string, userIDs []string) error {
	for _, id := range userIDs {
		if !ids.Valid(id) {
			return failure.Field(field, "user %q is not a member of this organization", shorten(id))
		}
	}
	return s.Identity.CheckMembers(ctx, orgID, field, userIDs)
}

// shorten keeps an id quoted in a message readable.
func shorten(id string) string {
	if len(id) > 40 {
		return id[:40] + "..."
	}
	return id
}

// personRef is a user or group id named by an element of a workflow.
type personRef struct {
	activityID, elementID, field string
	id                           string
	group                        bool
}

// workflowPeople collects the constant user and group ids a definition
// names: user task assignees, candidates and candidate groups, email task
// recipients (users and groups), the candidates of user (role) types, and
// the default values of user and group variables, in every scope.
func workflowPeople(w *workflow.Workflow) []personRef {
	var out []personRef
	add := func(act, elem, field string, group bool, raw json.RawMessage) {
		for _, id := range constantIDs(raw) {
			out = append(out, personRef{activityID: act, elementID: elem, field: field, id: id, group: group})
		}
	}
	bindings := func(act, field string, group bool, bs []workflow.Binding) {
		for _, b := range bs {
			add(act, "", field, group, b.Value)
		}
	}
	var dataType func(act, elem string, t *workflow.DataType)
	dataType = func(act, elem string, t *workflow.DataType) {
		if t == nil {
			return
		}
		for _, id := range t.CandidateIDs {
			out = append(out, personRef{activityID: act, elementID: elem, field: "candidateIds", id: id})
		}
		for _, id := range t.CandidateGroupIDs {
			out = append(out, personRef{activityID: act, elementID: elem, field: "candidateGroupIds", id: id, group: true})
		}
		dataType(act, elem, t.ElementType)
	}
	variables := func(act string, vs []workflow.Variable) {
		for _, v := range vs {
			dataType(act, v.ID, v.Type)
			if v.Type != nil && (v.Type.Name == workflow.TypeUser || v.Type.Name == workflow.TypeGroup || v.Type.Name == "user" || v.Type.Name == "group") {
				add(act, v.ID, "defaultValue", v.Type.Name == workflow.TypeGroup || v.Type.Name == "group", v.DefaultValue)
			}
		}
	}
	var activities func(as []workflow.Activity)
	activities = func(as []workflow.Activity) {
		for i := range as {
			a := &as[i]
			if a.AssigneeID != nil {
				add(a.ID, "", "assigneeId", false, a.AssigneeID.Value)
			}
			bindings(a.ID, "candidateIds", false, a.CandidateIDs)
			bindings(a.ID, "candidateGroupIds", true, a.CandidateGroupIDs)
			bindings(a.ID, "toUserIds", false, a.ToUserIDs)
			bindings(a.ID, "ccUserIds", false, a.CcUserIDs)
			bindings(a.ID, "bccUserIds", false, a.BccUserIDs)
			bindings(a.ID, "toGroupIds", true, a.ToGroupIDs)
			bindings(a.ID, "ccGroupIds", true, a.CcGroupIDs)
			bindings(a.ID, "bccGroupIds", true, a.BccGroupIDs)
			variables(a.ID, a.Variables)
			activities(a.Activities)
		}
	}
	variables("", w.Variables)
	activities(w.Activities)
	return out
}

// constantIDs are the ids of a binding's constant value: a text, or the
// texts of a list; other values are kept as their JSON text (never an id).
func constantIDs(raw json.RawMessage) []string {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil
		}
		return []string{one}
	}
	var list []any
	if json.Unmarshal(raw, &list) == nil {
		var out []string
		for _, e := range list {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			} else if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	}
	return []string{string(raw)}
}

// peopleIssues checks the people a definition names against the
// organization (at most two batch reads) and returns an error issue for
// each element that names a non-member or a foreign group.
func (s *Service) peopleIssues(ctx context.Context, orgID string, w *workflow.Workflow) ([]engine.Issue, error) {
	refs := workflowPeople(w)
	var users, groups []string
	for _, r := range refs {
		list := &users
		if r.group {
			list = &groups
		}
		if ids.Valid(r.id) && !slices.Contains(*list, r.id) {
			*list = append(*list, r.id)
		}
	}
	if len(users) > MaxWorkflowPeople || len(groups) > MaxWorkflowPeople {
		return []engine.Issue{{Type: IssueNotMember, Severity: engine.SeverityError,
			Message: fmt.Sprintf("the workflow names more than %d users or groups", MaxWorkflowPeople)}}, nil
	}
	members, err := s.membersAmong(ctx, orgID, users)
	if err != nil {
		return nil, err
	}
	known, err := s.groupsAmong(ctx, orgID, groups)
	if err != nil {
		return nil, err
	}
	var issues []engine.Issue
	for _, r := range refs {
		what, ok := "user %q is not a member of this organization", members[r.id]
		if r.group {
			what, ok = "group %q is not a group of this organization", known[r.id]
		}
		if !ok {
			issues = append(issues, engine.Issue{ActivityID: r.activityID, ElementID: r.elementID, Type: IssueNotMember,
				Severity: engine.SeverityError, Message: r.field + ": " + fmt.Sprintf(what, shorten(r.id))})
		}
	}
	return issues, nil
}

func (s *Service) membersAmong(ctx context.Context, orgID string, userIDs []string) (map[string]bool, error) {
	if len(userIDs) == 0 {
		return map[string]bool{}, nil
	}
	return s.Identity.Store.MembersAmong(ctx, orgID, userIDs)
}

func (s *Service) groupsAmong(ctx context.Context, orgID string, groupIDs []string) (map[string]bool, error) {
	if len(groupIDs) == 0 {
		return map[string]bool{}, nil
	}
	return s.Store.GroupsAmong(ctx, orgID, groupIDs)
}

// keepPeople drops, from what one engine operation asks for, the user and
// group ids that its variables resolved to but that are not members or
// groups of the organization (a start form or a completed form can put any
// text into a user variable): such an assignee becomes none, such
// candidates and mail recipients are left out. One batch read of members
// and one of groups, only when there are ids.
func (p *progress) keepPeople(eff *engine.Effects) error {
	var users, groups []string
	addAll := func(list *[]string, more []string) {
		for _, id := range more {
			if id != "" && !slices.Contains(*list, id) {
				*list = append(*list, id)
			}
		}
	}
	for _, t := range eff.Tasks {
		addAll(&users, append([]string{t.AssigneeID}, t.CandidateIDs...))
		addAll(&groups, t.CandidateGroupIDs)
	}
	for _, e := range eff.Emails {
		for _, r := range []engine.Recipients{e.To, e.Cc, e.Bcc} {
			addAll(&users, r.UserIDs)
			addAll(&groups, r.GroupIDs)
		}
	}
	if len(users) == 0 && len(groups) == 0 {
		return nil
	}
	members, err := p.s.membersAmong(p.ctx, p.orgID, validIDs(users))
	if err != nil {
		return err
	}
	known, err := p.s.groupsAmong(p.ctx, p.orgID, validIDs(groups))
	if err != nil {
		return err
	}
	keep := func(list []string, ok map[string]bool) []string {
		out := list[:0:0]
		for _, id := range list {
			if ok[id] {
				out = append(out, id)
			} else {
				slog.WarnContext(p.ctx, "left out an id that is not of the organization", "organizationId", p.orgID, "id", shorten(id))
			}
		}
		return out
	}
	for i := range eff.Tasks {
		t := &eff.Tasks[i]
		if t.AssigneeID != "" && !members[t.AssigneeID] {
			t.AssigneeID = ""
		}
		t.CandidateIDs = keep(t.CandidateIDs, members)
		t.CandidateGroupIDs = keep(t.CandidateGroupIDs, known)
	}
	for i := range eff.Emails {
		e := &eff.Emails[i]
		for _, r := range []*engine.Recipients{&e.To, &e.Cc, &e.Bcc} {
			r.UserIDs = keep(r.UserIDs, members)
			r.GroupIDs = keep(r.GroupIDs, known)
		}
	}
	return nil
}

// validIDs are the ids of the list that have the shape of an id.
func validIDs(list []string) []string {
	out := make([]string, 0, len(list))
	for _, id := range list {
		if ids.Valid(id) {
			out = append(out, id)
		}
	}
	return out
}
